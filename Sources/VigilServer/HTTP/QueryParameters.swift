import HTTPTypes
import Hummingbird

/// A request's query parameters as a dictionary, with the one check every query route makes: a parameter
/// the route does not know is a 400 naming it and listing the known ones.
enum QueryParameters {
    static func dictionary(_ request: Request) -> [String: String] {
        request.uri.queryParameters.reduce(into: [:]) { $0[String($1.key)] = String($1.value) }
    }

    /// The value of parameter `name` among `T`'s cases (`nil` when absent); a 400 listing them otherwise.
    static func choice<T: RawRepresentable & CaseIterable>(_ query: [String: String], _ name: String, as _: T.Type)
        throws(APIError) -> T? where T.RawValue == String
    {
        guard let text = query[name] else { return nil }
        guard let value = T(rawValue: text) else {
            throw .badRequest(
                "invalid_parameter",
                "\(name): '\(text.prefix(32))' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    static func requireKnown(_ query: [String: String], _ known: Set<String>) throws(APIError) {
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw .badRequest(
                "unknown_parameter",
                "unknown query parameter '\(unknown)'; expected \(known.sorted().joined(separator: ", "))")
        }
    }
}
