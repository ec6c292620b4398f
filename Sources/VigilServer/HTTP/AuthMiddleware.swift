import Foundation
import HTTPTypes
import Hummingbird

/// Requires a bearer token with the right scope on every route but the probes when tokens are configured:
/// `read` for `GET`, `write` for everything else. 401 without a valid token, 403 with too small a scope.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: TokenStore
    /// Liveness and readiness: load balancers and supervisors probe without credentials, and the answers
    /// hold nothing secret.
    static var probes: Set<String> { ["/healthz", "/readyz"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard tokens.isEnabled, !Self.probes.contains(request.uri.path) else { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw challenge("missing bearer token: send 'Authorization: Bearer TOKEN'")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard let scope = tokens.scope(of: token) else { throw challenge("invalid token") }
        let needed: Scope = request.method == .get || request.method == .head ? .read : .write
        if needed == .write && scope != .write {
            throw APIError(.forbidden, "forbidden", "this token has the read scope; \(request.method) needs write")
        }
        return try await next(request, context)
    }

    private func challenge(_ message: String) -> APIError {
        var e = APIError(.unauthorized, "unauthorized", message)
        e.headers[.wwwAuthenticate] = #"Bearer realm="vigil""#
        return e
    }
}
