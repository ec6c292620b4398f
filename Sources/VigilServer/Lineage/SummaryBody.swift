import Foundation
import VigilCore

/// A column profile sent to `POST /v1/gates/{name}/check?format=profile` instead of rows, read strictly:
/// unknown fields and wrong types are 400s naming the field.
///
/// ```json
/// {"rows": 1000, "columns": {"fare": {"type": "numeric", "nulls": 300, "min": 0, "max": 480},
///                            "payment": {"type": "categorical", "categories": {"card": 600, "cash": 400}}}}
/// ```
enum SummaryBody {
    static let columnFields: Set<String> = ["type", "nulls", "min", "max", "categories"]
    /// Columns, and categories per column, a profile may list.
    static let maxItems = 10_000

    static func decode(_ data: Data) throws(APIError) -> DatasetSummary {
        let o = try JSONObjectBody.parse(
            data, #"a profile is a JSON object such as {"rows": 1000, "columns": {"fare": {"nulls": 3}}}"#)
        try JSONObjectBody.requireKnown(o, ["rows", "columns"])
        guard let rows = OpenLineageBody.integer(o["rows"]) else {
            throw .badRequest("invalid_type", "rows: expected a whole number ≥ 0")
        }
        let given = try OpenLineageBody.dictionary(o["columns"], "columns")
        guard given.count <= maxItems else { throw .badRequest("limit_exceeded", "columns: at most \(maxItems)") }
        var columns: [String: DatasetSummary.Column] = [:]
        for (name, value) in given {
            columns[name] = try column(value, "columns.\(name.prefix(128))", rows: rows)
        }
        return DatasetSummary(rows: rows, columns: columns)
    }

    static func column(_ value: Any, _ path: String, rows: Int64) throws(APIError) -> DatasetSummary.Column {
        let d = try OpenLineageBody.dictionary(value, path)
        try JSONObjectBody.requireKnown(d, columnFields, path: path)
        var c = DatasetSummary.Column()
        if let text = try OpenLineageBody.optionalString(d["type"], "\(path).type") {
            guard let type = ColumnType(rawValue: text) else {
                throw .badRequest("invalid_value", "\(path).type: expected numeric or categorical")
            }
            c.type = type
        }
        if let nulls = d["nulls"] {
            guard let n = OpenLineageBody.integer(nulls), n <= rows else {
                throw .badRequest("invalid_value", "\(path).nulls: expected a whole number from 0 to rows (\(rows))")
            }
            c.nulls = n
        }
        c.min = try number(d["min"], "\(path).min")
        c.max = try number(d["max"], "\(path).max")
        if let categories = d["categories"] {
            guard let counts = categories as? [String: Any], counts.count <= maxItems else {
                throw .badRequest("invalid_type", "\(path).categories: expected an object of at most \(maxItems) counts")
            }
            var out: [String: Int64] = [:]
            for (k, v) in counts {
                guard let n = OpenLineageBody.integer(v) else {
                    throw .badRequest("invalid_type", "\(path).categories.\(k.prefix(64)): expected a whole number ≥ 0")
                }
                out[k] = n
            }
            c.categories = out
        }
        return c
    }

    /// A finite number (not a boolean), or nothing.
    static func number(_ value: Any?, _ path: String) throws(APIError) -> Double? {
        guard let value, !(value is NSNull) else { return nil }
        guard let n = value as? NSNumber, String(cString: n.objCType) != "c", n.doubleValue.isFinite else {
            throw .badRequest("invalid_type", "\(path): expected a finite number")
        }
        return n.doubleValue
    }
}
