import Foundation
import VigilCore

/// The readiness report and the version comparison as text tables.
enum ComparisonTable {
    static func render(_ r: ReadinessReport) -> String {
        var rows = [["metric", "offline", "online", "n", "95% interval", "online − offline", "finding"]]
        for m in r.metrics {
            rows.append([
                m.metric, number(m.offline), m.online.map(number) ?? "—", "\(m.n)",
                m.lower.map { "[\(number($0)), \(number(m.upper ?? $0))]" } ?? "", m.difference.map(signed) ?? "",
                m.finding.rawValue,
            ])
        }
        let head = "\(r.model) \(r.version): offline against online metrics — \(r.status.rawValue)"
        let skew = r.skewed.isEmpty ? "" : "\ntrain/serve skew in \(r.skewed.joined(separator: ", "))"
        return ([head] + TextTable.lines(rows, underline: true)).joined(separator: "\n") + skew + "\n"
    }

    static func render(_ c: VersionComparison, _ v: CanaryVerdict) -> String {
        var rows = [["segment", "metric", c.baseline, c.candidate, "difference [95%]", "verdict", "always-valid"]]
        for slice in c.slices {
            let name = slice.segment.map { "\($0.key):\($0.value)" } ?? "overall"
            for m in slice.metrics {
                let d = m.difference.map { "\(signed($0.estimate)) [\(signed($0.lower)), \(signed($0.upper))]" } ?? "—"
                rows.append([
                    name, m.metric, m.baseline.value.map(number) ?? "—", m.candidate.value.map(number) ?? "—", d,
                    m.verdict.rawValue, m.sequential?.verdict.rawValue ?? "undecided",
                ])
            }
        }
        let head = "\(c.candidate) against \(c.baseline) (margin \(number(c.margin))): \(v.verdict.rawValue)"
        return ([head] + TextTable.lines(rows, underline: true) + [v.recommendation]).joined(separator: "\n") + "\n"
    }

    static func number(_ x: Double) -> String { String(format: "%.4f", x) }
    static func signed(_ x: Double) -> String { String(format: "%+.4f", x) }
}
