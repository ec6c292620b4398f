import HTTPTypes
import Hummingbird
import Synchronization

/// The methods each route path answers, so that a known path asked with another method gets
/// `405 Method Not Allowed` with an `Allow` header (RFC 9110 §15.5.6) rather than a 404.
///
/// Filled once, after every route is registered; read by ``ErrorMiddleware`` when the router finds no route.
final class RouteMethods: Sendable {
    private struct Entry {
        var segments: [Substring]
        var methods: [String]
    }

    private let entries = Mutex<[Entry]>([])

    func record(_ routes: [Router<BasicRequestContext>.RouteDescription]) {
        var byPath: [String: Set<String>] = [:]
        for route in routes { byPath["\(route.path)", default: []].insert(route.method.rawValue) }
        let built = byPath.map { path, methods in
            Entry(segments: path.split(separator: "/"), methods: methods.sorted())
        }
        entries.withLock { $0 = built }
    }

    /// The methods a path answers, or `nil` if no route has it. `{name}` matches one segment, `*` any one,
    /// `**` the rest.
    func allowed(for path: String) -> [String]? {
        let parts = path.split(separator: "/")
        return entries.withLock { entries in
            entries.first { Self.matches($0.segments, parts) }?.methods
        }
    }

    private static func matches(_ template: [Substring], _ parts: [Substring]) -> Bool {
        for (i, t) in template.enumerated() {
            if t == "**" { return true }
            guard i < parts.count else { return false }
            if t == "*" || (t.hasPrefix("{") && t.hasSuffix("}")) || t.hasPrefix(":") { continue }
            if t != parts[i] { return false }
        }
        return template.count == parts.count
    }
}
