import Foundation
import HTTPTypes
import VigilCore

/// Reads an SLO definition strictly — from a `PUT /v1/slos/{name}` body or an entry of an `--slos` file:
/// unknown fields and invalid values are 400s that name the field.
public enum SLOBody {
    static let ruleKeys: Set<String> = [
        "name", "severity", "burn_rate", "long_window", "short_window", "for", "min_samples",
    ]

    /// Decodes a JSON body; `name` (from the path) wins over a `name` field, which must then agree.
    public static func decode(_ data: Data, name: String?) throws(APIError) -> SLODefinition {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .badRequest(
                "malformed_json",
                #"body must be a JSON object such as {"model": "m", "sli": "accuracy", "objective": ">= 0.9"}"#)
        }
        return try decode(object: object, name: name)
    }

    /// Decodes one definition given as a dictionary (parsed JSON or YAML).
    public static func decode(object: [String: Any], name: String?) throws(APIError) -> SLODefinition {
        var details: [RowRejection] = []
        func unknown(_ field: String, _ expected: Set<String>) {
            details.append(
                RowRejection(
                    index: 0, field: field, code: "unknown_field",
                    message: "unknown field '\(field)'; expected one of \(expected.sorted().joined(separator: ", "))"))
        }
        for key in object.keys.sorted() where !SLODefinition.fields.contains(key) { unknown(key, SLODefinition.fields) }
        for (i, rule) in ((object["alerts"] as? [Any]) ?? []).enumerated() {
            for key in ((rule as? [String: Any])?.keys.sorted() ?? []) where !ruleKeys.contains(key) {
                unknown("alerts[\(i)].\(key)", ruleKeys)
            }
        }
        guard details.isEmpty else {
            throw APIError(
                .badRequest, "unknown_field", "unknown fields: \(details.map(\.field).joined(separator: ", "))",
                details: details)
        }
        if let name, let given = object["name"] as? String, given != name {
            throw .badRequest("invalid_slo", "name: the body says '\(given)' but the path says '\(name)'")
        }
        var slo: SLODefinition
        do {
            let data = try JSONSerialization.data(withJSONObject: object)
            slo = try JSONDecoder().decode(SLODefinition.self, from: data)
        } catch let error as SLOError {
            throw error.api
        } catch {
            throw .badRequest(
                "invalid_slo", "the SLO does not match the expected shape: \(APIError.describeDecoding(error))")
        }
        if let name { slo.name = name }
        do {
            try slo.validate()
        } catch {
            throw error.api
        }
        return slo
    }
}
