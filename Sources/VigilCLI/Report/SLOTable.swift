import Foundation
import VigilCore

/// Terminal renderings of SLO statuses and backtests.
enum SLOTable {
    static func render(_ entries: [SLOEntry]) -> String {
        guard !entries.isEmpty else { return "no SLOs defined (PUT /v1/slos/{name} or vigil serve --slos FILE)" }
        var rows = [
            [
                "SLO", "MODEL", "SLI", "OBJECTIVE", "WINDOW", "VALUE [95% CI]", "N", "LABELED", "BUDGET LEFT", "BURN",
                "VERDICT", "ALERTS",
            ]
        ]
        for e in entries {
            let s = e.status
            let value =
                s?.value.value.map { v in
                    let ci = s.flatMap { st in
                        st.value.lower.flatMap { lo in st.value.upper.map { "[\(fmt(lo)), \(fmt($0))]" } }
                    }
                    if e.slo.sli.isSeconds { return DurationText.format(seconds: v) }
                    return ci.map { "\(fmt(v)) \($0)" } ?? fmt(v)
                } ?? "—"
            let burn =
                s?.currentBurnRate.flatMap { b in
                    b.burnRate.map { "\(fmt($0))× (\(b.window)\(b.isCoarsened ? ", \(b.resolution ?? "") buckets" : ""))" }
                } ?? "—"
            rows.append([
                e.slo.name, e.slo.watched + (e.slo.version.map { "@\($0)" } ?? ""), e.slo.sli.description,
                e.slo.objective.description, e.slo.window.windowText, value, s.map { "\($0.value.n)" } ?? "—",
                s?.value.labelCoverage.map { percent($0) } ?? "—",
                s?.budget.map { percent($0.remainingFraction) } ?? "—", burn, s?.verdict.rawValue ?? "—",
                (e.alerts ?? []).filter { $0.state == .firing }.map { "\($0.rule) (\($0.severity))" }.joined(
                    separator: ", "),
            ])
        }
        var out = table(rows)
        for e in entries {
            if let note = e.status?.coarsenedNote { out += "\nnote: \(e.slo.name): \(note)" }
        }
        for e in entries where !e.warnings.isEmpty {
            out += "\n" + e.warnings.map { "warning: \(e.slo.name): \($0)" }.joined(separator: "\n")
        }
        return out
    }

    static func render(_ b: SLOBacktest.Result) -> String {
        var lines = ["backtest of \(b.slo) from \(b.from) to \(b.to) every \(b.step): \(b.points.count) evaluations"]
        var verdicts: [SLOStatus.Verdict: Int] = [:]
        for p in b.points { verdicts[p.verdict, default: 0] += 1 }
        lines.append(
            "verdicts: "
                + [SLOStatus.Verdict.ok, .atRisk, .breached, .insufficientData].map {
                    "\($0.rawValue) \(verdicts[$0] ?? 0)"
                }
                .joined(separator: ", "))
        if b.transitions.isEmpty {
            lines.append("no alert would have fired")
        } else {
            var rows = [["AT", "RULE", "SEVERITY", "FROM", "TO", "SUMMARY"]]
            for t in b.transitions {
                rows.append([
                    t.at.iso8601, t.alert.rule, t.alert.severity, t.from?.rawValue ?? "—", t.to.rawValue,
                    t.alert.summary,
                ])
            }
            lines.append(table(rows))
        }
        lines += b.warnings.map { "warning: \($0)" }
        return lines.joined(separator: "\n")
    }

    static func fmt(_ x: Double) -> String { String(format: abs(x) >= 100 ? "%.0f" : "%.4g", x) }
    static func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }

    static func table(_ rows: [[String]]) -> String { TextTable.lines(rows).joined(separator: "\n") }
}
