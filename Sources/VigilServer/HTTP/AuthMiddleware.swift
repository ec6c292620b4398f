import Foundation
import HTTPTypes
import Hummingbird

/// Requires a bearer token with the right scope on every route but the probes and the sign-in page when tokens
/// are configured: `read` for `GET`, `write` for everything else. 401 without a valid token, 403 with too small
/// a scope. A dashboard session cookie (``SessionStore``) stands for a read token on `GET` and `HEAD` only (the
/// dashboard's forms carry a write token in their fields: ``DashboardForm``); a browser asking for a page
/// without either is sent to the sign-in page.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: TokenStore
    let sessions: SessionStore
    /// Liveness and readiness (load balancers and supervisors probe without credentials, and the answers hold
    /// nothing secret), and signing in and out.
    static var open: Set<String> { ["/healthz", "/readyz", "/signin", "/signout"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard tokens.isEnabled, !Self.open.contains(request.uri.path) else { return try await next(request, context) }
        let reads = request.method == .get || request.method == .head
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            if let id = SessionStore.id(inCookieHeader: request.headers[.cookie]), sessions.isValid(id) {
                // The dashboard's own forms (``DashboardForm``) check the write token typed into them.
                guard reads || Self.isPage(request.uri.path) else {
                    throw APIError(
                        .forbidden, "forbidden",
                        "a dashboard session only reads; \(request.method) needs 'Authorization: Bearer TOKEN'")
                }
                return try await next(request, context)
            }
            if reads && Self.isPage(request.uri.path) { return Self.signInRedirect(request) }
            throw challenge("missing bearer token: send 'Authorization: Bearer TOKEN'")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard let scope = tokens.scope(of: token) else { throw challenge("invalid token") }
        let needed: Scope = reads ? .read : .write
        if needed == .write && scope != .write {
            throw APIError(.forbidden, "forbidden", "this token has the read scope; \(request.method) needs write")
        }
        return try await next(request, context)
    }

    /// Dashboard pages: everything but the API, the metrics exposition and the API document.
    static func isPage(_ path: String) -> Bool {
        !(path.hasPrefix("/v1/") || path == "/metrics" || path == "/openapi.yaml" || path.hasPrefix("/api/"))
    }

    static func signInRedirect(_ request: Request) -> Response {
        let target = request.uri.description
        let next = target.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? "/"
        return Response(status: .seeOther, headers: [.location: "/signin?next=\(next)", .cacheControl: "no-store"])
    }

    private func challenge(_ message: String) -> APIError {
        var e = APIError(.unauthorized, "unauthorized", message)
        e.headers[.wwwAuthenticate] = #"Bearer realm="vigil""#
        return e
    }
}
