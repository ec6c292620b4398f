import Foundation
import HTTPTypes
import VigilCore

/// Reads a `PUT /v1/models/{model}/rules` body strictly: unknown fields and invalid rules are 400s that
/// name the field.
enum RuleSetBody {
    static let ruleKeys: Set<String> = [
        "type", "max_missing_fraction", "min", "max", "max_out_of_range_fraction", "categories",
        "max_unseen_fraction", "drift",
    ]
    static let driftKeys: Set<String> = ["statistic", "threshold", "min_samples"]

    static func decode(_ data: Data) throws(APIError) -> RuleSet {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .badRequest(
                "malformed_json", #"body must be a JSON object: {"columns": {"name": {"type": "numeric", ...}}}"#)
        }
        var details: [RowRejection] = []
        func unknown(_ field: String) {
            details.append(
                RowRejection(index: 0, field: field, code: "unknown_field", message: "unknown field '\(field)'"))
        }
        for key in object.keys.sorted() where !["columns", "outputs", "convention"].contains(key) { unknown(key) }
        for section in ["columns", "outputs"] {
            guard let columns = object[section] as? [String: Any] else { continue }
            for (name, rule) in columns.sorted(by: { $0.key < $1.key }) {
                guard let rule = rule as? [String: Any] else { continue }
                for key in rule.keys.sorted() where !ruleKeys.contains(key) { unknown("\(section).\(name).\(key)") }
                if let drift = rule["drift"] as? [String: Any] {
                    for key in drift.keys.sorted() where !driftKeys.contains(key) {
                        unknown("\(section).\(name).drift.\(key)")
                    }
                }
            }
        }
        guard details.isEmpty else {
            throw APIError(.badRequest, "unknown_field", "the rules have unknown fields", details: details)
        }
        let rules: RuleSet
        do {
            rules = try JSONDecoder().decode(RuleSet.self, from: data)
        } catch {
            throw .badRequest(
                "invalid_rules", "the rules do not match the expected shape: \(APIError.describeDecoding(error))")
        }
        let problems = rules.problems
        guard problems.isEmpty else {
            throw APIError(
                .badRequest, "invalid_rules", problems.joined(separator: "; "),
                details: problems.map { RowRejection(index: 0, field: "", code: "invalid_value", message: $0) })
        }
        return rules
    }
}
