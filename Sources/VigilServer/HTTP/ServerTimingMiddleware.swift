import Foundation
import HTTPTypes
import Hummingbird

/// Adds `Server-Timing: app;dur=MS` to every successful response: the time the server spent producing it
/// (routing, authentication, the handler, encoding the body), in milliseconds. Browsers' developer tools and
/// benchmarks (Benchmarks/compare) read it to tell the server's time apart from the network's.
struct ServerTimingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        var response = try await next(request, context)
        response.headers[.serverTiming] = Self.value(ContinuousClock.now - start)
        return response
    }

    /// `app;dur=` with microsecond resolution, as the W3C Server Timing syntax allows (a decimal number).
    static func value(_ elapsed: Duration) -> String {
        let (seconds, attoseconds) = elapsed.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return "app;dur=" + String(format: "%.3f", milliseconds)
    }
}

extension HTTPField.Name {
    /// `Server-Timing` (W3C Server Timing).
    static let serverTiming = HTTPField.Name("Server-Timing")!
}
