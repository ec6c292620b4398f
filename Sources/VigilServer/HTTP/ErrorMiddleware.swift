import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into the API's JSON error shape, so clients parse one format.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The methods of each route, for 405 on a known path asked with another method.
    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            if error.status == .notFound, let allowed = routes.allowed(for: request.uri.path),
                !allowed.contains(request.method.rawValue)
            {
                var e = APIError(
                    .methodNotAllowed, "method_not_allowed",
                    "\(request.method) is not allowed on \(request.uri.path); allowed: \(allowed.joined(separator: ", "))"
                )
                e.headers[.allow] = allowed.joined(separator: ", ")
                throw e
            }
            throw Self.map(error)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, "internal", "internal error; see the server log")
        }
    }

    static func map(_ error: HTTPError) -> APIError {
        let message = error.body ?? error.status.reasonPhrase
        switch error.status {
        case .notFound: return APIError(.notFound, "not_found", "no such route; see /openapi.yaml")
        case .contentTooLarge: return APIError(.contentTooLarge, "body_too_large", message)
        case .methodNotAllowed: return APIError(.methodNotAllowed, "method_not_allowed", message)
        default: return APIError(error.status, "http_error", message)
        }
    }
}
