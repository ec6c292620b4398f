import Foundation
import VigilCore

/// A metric series as columns (`format=columnar`): one array per metric and field instead of one object per
/// step, and no times at all — the steps are equal (``Engine/metricSeries``), so step `i` is
/// `[from + i·step, min(from + (i+1)·step, to))` — only the last can be shorter. An hourly 30-day series of
/// two metrics is a few kilobytes instead of a quarter of a megabyte.
struct MetricColumns {
    /// What a column may hold: `value` and `n` by default; `lower`, `upper` (the 95 % interval) and `reason`
    /// (why there is no value) when asked with `fields=`.
    enum Field: String, CaseIterable {
        case value, n, lower, upper, reason
    }

    static let defaultFields: [Field] = [.value, .n]

    var from: Timestamp
    var to: Timestamp
    var step: Duration
    var resolution: String?
    var names: [String]
    var fields: [Field]
    var reports: [MetricReport]

    /// - Parameters:
    ///   - reports: one per step, in order; `from`/`to` are the series' bounds (the range asked when empty).
    init(_ reports: [MetricReport], names: [String], from: Timestamp, to: Timestamp, step: Duration, fields: [Field]) {
        self.reports = reports
        self.names = names
        self.from = reports.first?.from ?? from
        self.to = reports.last?.to ?? to
        self.step = step
        resolution = reports.first?.resolution?.text
        self.fields = fields
    }

    /// `fields=value,n,lower`: known names, each once, at least one.
    static func fields(_ text: String?) throws(APIError) -> [Field] {
        guard let text else { return defaultFields }
        var fields: [Field] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let field = Field(rawValue: name) else {
                throw .badRequest(
                    "invalid_parameter",
                    "fields: '\(name.prefix(32))' is not one of \(Field.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !fields.contains(field) { fields.append(field) }
        }
        guard !fields.isEmpty else { throw .badRequest("invalid_parameter", "fields: name at least one") }
        return fields
    }

    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.field("count", Int64(reports.count))
        w.key("fields")
        w.beginArray()
        for f in fields { w.string(f.rawValue) }
        w.endArray()
        w.field("from", from.iso8601)
        w.key("metrics")
        w.beginObject()
        let keyOrder = fields.sorted { $0.rawValue < $1.rawValue }
        for name in names.sorted() {
            w.key(name)
            column(name, keyOrder, to: &w)
        }
        w.endObject()
        w.field("resolution", resolution)
        w.field("step", step.windowText)
        w.field("to", to.iso8601)
        w.endObject()
    }

    private func column(_ name: String, _ keyOrder: [Field], to w: inout JSONWriter) {
        w.beginObject()
        for field in keyOrder {
            w.key(field.rawValue)
            w.beginArray()
            for r in reports {
                let v = r.values[name]
                switch field {
                case .value: w.double(v?.value)
                case .n: w.int(v?.n ?? 0)
                case .lower: w.double(v?.lower)
                case .upper: w.double(v?.upper)
                case .reason: if let reason = v?.reason { w.string(reason) } else { w.null() }
                }
            }
            w.endArray()
        }
        w.field("unit", MetricCatalog.unit(of: name))
        w.endObject()
    }
}
