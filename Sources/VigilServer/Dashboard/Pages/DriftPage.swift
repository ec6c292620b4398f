import Foundation
import HTTPTypes
import VigilCore
import VigilStore

/// `/models/{model}/drift`: every column's drift against the reference, most severe first, with the two
/// distributions side by side, and the data-quality violations of the range with example values.
struct DriftPage {
    struct ColumnRow {
        var column: String
        var anchor: String
        var type: String
        var verdict: String
        var verdictText: String
        var statistic: String
        var value: String
        var exact: String
        var threshold: String
        var severity: String
        var severityExact: String
        var severityWidth: String
        var psi: String
        var js: String
        var pValue: String
        var missing: String
        var chart: String
        var unseen: String?
    }

    struct ViolationRow {
        var column: String
        var rule: String
        var message: String
        var observed: String
        var allowed: String
        var examples: String
    }

    struct QualityRow {
        var column: String
        var type: String
        var missing: String
        var missingExact: String
        var typeErrors: String
        var outOfRange: String
        var unseen: String
        var violations: String
    }

    var frame: PageFrame
    var hasReference: Bool
    var model: String
    var referenceSource: String
    var referenceRows: String
    var currentRows: String
    var currentRowsExact: String
    var drifted: String
    var driftedCount: Int
    var columns: [ColumnRow]
    var violations: [ViolationRow]
    var hasViolations: Bool
    var quality: [QualityRow]
    var rulesSource: String
    var versionOptions: [ModelPage.Option]

    init(_ sources: DashboardSources, model: String, _ query: [String: String]) async throws(APIError) {
        try QueryParameters.requireKnown(query, ["range", "to", "step", "version"])
        let now = sources.clock()
        let summary = try sources.summary(model)
        let range = try DashboardRange(query, now: now, latest: summary.lastEvent)
        let version = query["version"].flatMap { $0.isEmpty ? nil : $0 }
        self.model = model
        frame = PageFrame(
            title: "\(model) · drift", model: model, page: .drift,
            path: "/models/\(DashboardLinks.escape(model))/drift",
            range: range, latestEvent: summary.lastEvent, keep: version.map { [("version", $0)] } ?? [], now: now)
        versionOptions =
            [ModelPage.Option(value: "", label: "all versions", selected: version == nil)]
            + summary.versions.sorted().map { ModelPage.Option(value: $0, label: $0, selected: $0 == version) }
        let current = try sources.host.query { engine throws(QueryError) in
            try engine.profile(model: model, window: range.window, version: version)
        }
        let found = try await sources.documents.effectiveRules(model)
        rulesSource = found?.source ?? "none"
        let q = QualityReport(profile: current.profile, rules: found?.rules)
        violations = (q.columns + q.outputs).flatMap { c in
            c.violations.map { v in
                ViolationRow(
                    column: c.column, rule: v.rule.rawValue, message: v.message,
                    observed: v.rule == .type || v.rule == .invalid
                        ? DashboardFormat.number(v.observed) : DashboardFormat.percent(v.observed),
                    allowed: v.rule == .type || v.rule == .invalid
                        ? DashboardFormat.number(v.allowed) : DashboardFormat.percent(v.allowed),
                    examples: v.rule == .categories
                        ? (c.unseenExamples ?? []).map { "\($0.value) (\(DashboardFormat.count($0.count)))" }.joined(
                            separator: ", ") : "")
            }
        }
        hasViolations = !violations.isEmpty
        quality = q.columns.map { c in
            QualityRow(
                column: c.column, type: c.type.rawValue, missing: DashboardFormat.percent(c.missingFraction),
                missingExact: DashboardFormat.exact(c.missingFraction), typeErrors: DashboardFormat.count(c.typeErrors),
                outOfRange: c.outOfRange.map(DashboardFormat.count) ?? "—",
                unseen: c.unseen.map(DashboardFormat.count) ?? "—",
                violations: "\(c.violations.count)")
        }
        currentRows = DashboardFormat.count(current.profile.rows)
        currentRowsExact = "\(current.profile.rows)"
        guard let reference = try await sources.documents.reference(model) else {
            (hasReference, referenceSource, referenceRows, drifted, driftedCount, columns) = (false, "", "", "", 0, [])
            return
        }
        hasReference = true
        referenceSource = Self.describe(reference.source)
        let report = DriftReport(reference: reference.profile, current: current.profile, rules: found?.rules)
        referenceRows = DashboardFormat.count(report.referenceRows)
        drifted = report.drifted.joined(separator: ", ")
        driftedCount = report.drifted.count
        columns = (report.columns + report.outputs).map(Self.row)
    }

    static func describe(_ source: StoredReference.Source) -> String {
        switch source {
        case .upload(let format): return "uploaded \(format.rawValue) rows"
        case .window(let from, let to, let version):
            return
                "served predictions \(TimeLabel.full(from)) → \(TimeLabel.full(to))\(version.map { " (\($0))" } ?? "")"
        }
    }

    static func row(_ c: ColumnDrift) -> ColumnRow {
        let severity = c.severity.map { min($0, 3) / 3 * 100 } ?? 0
        return ColumnRow(
            column: c.column, anchor: "col-\(DashboardLinks.escape(c.column))", type: c.type.rawValue,
            verdict: c.verdict.rawValue, verdictText: c.verdict.rawValue.replacingOccurrences(of: "_", with: " "),
            statistic: c.threshold.statistic.rawValue, value: DashboardFormat.number(c.value),
            exact: DashboardFormat.exact(c.value), threshold: DashboardFormat.number(c.threshold.threshold),
            severity: DashboardFormat.number(c.severity), severityExact: DashboardFormat.exact(c.severity),
            severityWidth: String(format: "%.0f", severity), psi: DashboardFormat.number(c.psi),
            js: DashboardFormat.number(c.jsDistance), pValue: DashboardFormat.number(c.ksPValue ?? c.chi2PValue),
            missing:
                "\(DashboardFormat.percent(c.referenceMissingFraction)) → \(DashboardFormat.percent(c.currentMissingFraction))",
            chart: chart(c), unseen: c.unseenCategories.flatMap { $0.isEmpty ? nil : $0.joined(separator: ", ") })
    }

    /// Reference against current: the reference's decile bins for numbers, every category for strings.
    static func chart(_ c: ColumnDrift) -> String {
        func shares(_ counts: [Int64]?) -> [Double] {
            let counts = counts ?? []
            let total = Double(max(counts.reduce(0, +), 1))
            return counts.map { Double($0) / total }
        }
        let labels: [String]
        let reference: [Double]
        let current: [Double]
        if let edges = c.binEdges, let r = c.referenceBinCounts, let k = c.currentBinCounts {
            // Bins are right-closed between consecutive edges, with open ends below the first and above the last.
            labels = (0..<r.count).map { i in
                i < edges.count
                    ? "≤\(DashboardFormat.tick(edges[i]))" : ">\(edges.last.map(DashboardFormat.tick) ?? "")"
            }
            (reference, current) = (shares(r), shares(k))
        } else if let categories = c.categories {
            labels = categories
            (reference, current) = (shares(c.referenceCounts), shares(c.currentCounts))
        } else {
            return ""
        }
        return BarChart(
            title: "\(c.column): reference and current", categories: labels,
            series: [
                BarChart.Series(name: "reference", color: Palette.reference, shares: reference),
                BarChart.Series(name: "current", color: Palette.current, shares: current),
            ]
        ).render()
    }
}
