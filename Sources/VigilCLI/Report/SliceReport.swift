import VigilCore

/// One slice of a replay report (overall, a version, a segment value, a step of a series) as JSON.
enum SliceReport {
    static func json(_ r: MetricReport) -> JSONValue {
        var metrics: [String: JSONValue] = [:]
        for name in r.names {
            guard let v = r.values[name] else { continue }
            var entry: [String: JSONValue] = ["value": JSONValue(v.value), "n": JSONValue(v.n)]
            if let lo = v.lower, let hi = v.upper {
                entry["lower"] = .number(lo)
                entry["upper"] = .number(hi)
            }
            metrics[name] = .object(entry)
        }
        var out: [String: JSONValue] = [
            "from": r.from.map { .string($0.iso8601) } ?? .null,
            "to": r.to.map { .string($0.iso8601) } ?? .null,
            "metrics": .object(metrics),
        ]
        switch r.confusion {
        case .binary(let tp, let fp, let tn, let fn)?:
            out["confusion"] = .object([
                "tp": JSONValue(tp), "fp": JSONValue(fp), "tn": JSONValue(tn), "fn": JSONValue(fn),
            ])
        case .multiclass(let classes, let matrix)?:
            out["confusion"] = .object([
                "classes": .array(classes.map(JSONValue.string)),
                "matrix": .array(matrix.map { .array($0.map(JSONValue.init)) }),
            ])
        case nil:
            break
        }
        return .object(out)
    }
}
