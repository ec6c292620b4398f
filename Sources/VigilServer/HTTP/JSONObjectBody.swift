import Foundation

/// A JSON object body read strictly: anything but an object is a 400 `malformed_json` with an example, and a
/// key outside the allowed ones a 400 `unknown_field` that names it and them.
enum JSONObjectBody {
    /// The object, or `malformed_json` with `message` (which shows what to send).
    static func parse(_ data: Data, _ message: String) throws(APIError) -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .badRequest("malformed_json", message)
        }
        return object
    }

    /// Refuses the first key (in sorted order) outside `allowed`; `path` names a nested object.
    static func requireKnown(_ object: [String: Any], _ allowed: Set<String>, path: String? = nil) throws(APIError) {
        guard let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) else { return }
        throw .badRequest(
            "unknown_field",
            "\(path.map { "\($0): " } ?? "")unknown field '\(unknown.prefix(64))'; expected \(allowed.sorted().joined(separator: ", "))")
    }
}
