import HTTPTypes
import Hummingbird

/// A request's query parameters as a dictionary, with the one check every query route makes: a parameter
/// the route does not know is a 400 naming it and listing the known ones.
enum QueryParameters {
    static func dictionary(_ request: Request) -> [String: String] {
        request.uri.queryParameters.reduce(into: [:]) { $0[String($1.key)] = String($1.value) }
    }

    static func requireKnown(_ query: [String: String], _ known: Set<String>) throws(APIError) {
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw .badRequest(
                "unknown_parameter",
                "unknown query parameter '\(unknown)'; expected \(known.sorted().joined(separator: ", "))")
        }
    }
}
