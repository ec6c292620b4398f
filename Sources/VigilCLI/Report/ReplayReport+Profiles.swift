import Foundation
import VigilCore

extension ReplayReport {
    /// The drift and quality sections of a model in the table format: one line per column, violations below.
    func profileLines(_ section: ModelSection) -> [String] {
        guard let drift = section.drift, let quality = section.quality else { return [] }
        var out = [
            "", "drift of \(section.model.name) (\(drift.currentRows) rows vs \(drift.referenceRows) reference rows):",
        ]
        let header = ["column", "type", "verdict", "psi", "js", "ks/chi2 p", "wasserstein", "missing ref→cur"]
        var rows: [[String]] = []
        for c in drift.columns + drift.outputs {
            let p = c.ksPValue ?? c.chi2PValue
            let missing = [c.referenceMissingFraction, c.currentMissingFraction].map {
                $0.map { String(format: "%.2f%%", $0 * 100) } ?? "-"
            }
            rows.append([
                c.column, c.type.rawValue, c.verdict.rawValue, Self.cell(c.psi), Self.cell(c.jsDistance),
                p.map { String(format: "%.3g", $0) } ?? "-", Self.cell(c.wasserstein), missing.joined(separator: "→"),
            ])
        }
        out += TextTable.lines([header] + rows)
        out.append("")
        let violations = (quality.columns + quality.outputs).flatMap(\.violations)
        out.append("quality of \(section.model.name): \(violations.count) rule violations")
        out += violations.map { "  \($0.rule.rawValue): \($0.message)" }
        return out
    }

    private static func cell(_ v: Double?) -> String { v.map { String(format4: $0) } ?? "-" }
}
