import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The dashboard's sign-in, for servers with tokens: `GET /signin` shows a form, `POST /signin` checks the
/// token and sets a session cookie (`HttpOnly`, `SameSite=Strict`, read-only: see ``SessionStore``),
/// `POST /signout` ends the session. The API keeps its bearer tokens.
struct SignInRoutes: Sendable {
    let tokens: TokenStore
    let sessions: SessionStore
    let configuration: ServerConfiguration

    func register(on router: Router<BasicRequestContext>) {
        router.get("/signin") { request, _ in
            form(next: Self.safeNext(QueryParameters.dictionary(request)["next"]), error: nil, status: .ok)
        }
        router.post("/signin") { request, _ in try await signIn(request) }
        router.post("/signout") { request, _ in signOut(request) }
    }

    private func signIn(_ request: Request) async throws(APIError) -> Response {
        let body = try await RequestBody.collect(request, limit: 8 * 1024, timeout: configuration.bodyReadTimeout)
        let fields = DashboardForm.fields(String(buffer: body))
        let next = Self.safeNext(fields["next"])
        guard let token = fields["token"], !token.isEmpty, tokens.scope(of: token) != nil else {
            return form(next: next, error: "That token is not valid for this server.", status: .unauthorized)
        }
        var headers: HTTPFields = [.location: next, .cacheControl: "no-store"]
        headers[.setCookie] =
            "\(SessionStore.cookieName)=\(sessions.create()); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(sessions.lifetime.components.seconds)"
        return Response(status: .seeOther, headers: headers)
    }

    private func signOut(_ request: Request) -> Response {
        if let id = SessionStore.id(inCookieHeader: request.headers[.cookie]) { sessions.remove(id) }
        var headers: HTTPFields = [.location: "/signin", .cacheControl: "no-store"]
        headers[.setCookie] = "\(SessionStore.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        return Response(status: .seeOther, headers: headers)
    }

    private func form(next: String, error: String?, status: HTTPResponse.Status) -> Response {
        var view: [String: String] = ["next": next]
        if let error { view["error"] = error }
        return Response(
            status: status, headers: DashboardHeaders.html(),
            body: .init(byteBuffer: ByteBuffer(string: DashboardTemplates.render(view, "signin"))))
    }

    /// Where to go after signing in: a path on this server only (never `//host` or a full URL).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), next.count <= 2048 else {
            return "/"
        }
        return next
    }
}
