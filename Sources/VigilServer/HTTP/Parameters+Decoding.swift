import Foundation
import Hummingbird

extension Parameters {
    /// The path parameter `name`, percent-decoded: the router matches the raw path, so `/v1/models/a%20b`
    /// names the model `a b` and `/v1/models/a%2Fb` the model `a/b`.
    ///
    /// - Throws: 400 `invalid_path` when the segment is not valid percent-encoded UTF-8.
    func decoded(_ name: String) throws(APIError) -> String {
        guard let raw = self.get(name) else {
            throw APIError(.badRequest, "invalid_path", "the path has no '\(name)' segment")
        }
        guard raw.contains("%") else { return raw }
        guard let text = raw.removingPercentEncoding else {
            throw APIError(
                .badRequest, "invalid_path", "the path segment '\(raw.prefix(64))' is not valid percent-encoded UTF-8")
        }
        return text
    }
}
