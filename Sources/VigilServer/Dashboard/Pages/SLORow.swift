import Foundation
import HTTPTypes
import VigilCore

/// One SLO's status as the overview and the SLO page show it: verdict, value with interval, budget bar.
struct SLORow {
    var name: String
    var href: String
    var sli: String
    var objective: String
    var window: String
    var verdict: String
    var verdictText: String
    var value: String
    var valueExact: String
    var interval: String
    var lowerExact: String
    var upperExact: String
    var n: String
    var coverage: String?
    var hasBudget: Bool
    var budget: String
    var budgetExact: String
    var budgetWidth: String
    var budgetClass: String
    var exhaustion: String?
    var reason: String

    init(_ slo: SLODefinition, _ s: SLOStatus, href: String) {
        name = slo.name
        self.href = href
        sli = slo.slice.map { "\(s.sli) where \($0)" } ?? s.sli
        objective = s.objective
        window = s.window
        verdict = s.verdict.rawValue
        verdictText = s.verdict.rawValue.replacingOccurrences(of: "_", with: " ")
        value =
            slo.sli.isSeconds
            ? s.value.value.map { DurationText.format(seconds: $0) } ?? "—" : DashboardFormat.number(s.value.value)
        valueExact = DashboardFormat.exact(s.value.value)
        interval = DashboardFormat.interval(s.value.lower, s.value.upper)
        lowerExact = DashboardFormat.exact(s.value.lower)
        upperExact = DashboardFormat.exact(s.value.upper)
        n = DashboardFormat.count(s.value.n)
        coverage = s.value.labelCoverage.map { DashboardFormat.percent($0) }
        let left = s.budget?.remainingFraction
        hasBudget = left != nil
        budget = DashboardFormat.percent(left)
        budgetExact = DashboardFormat.exact(left)
        budgetWidth = String(format: "%.1f", min(max(left ?? 0, 0), 1) * 100)
        budgetClass = (left ?? 1) <= 0 ? "spent" : (left ?? 1) < 0.25 ? "low" : ""
        exhaustion = s.timeToExhaustionSeconds.flatMap {
            $0 > 0 && $0.isFinite ? "spent in " + DurationText.format(seconds: $0) : nil
        }
        reason = s.reason
    }
}

/// An alert as the overview and the SLO page list it.
struct AlertRow {
    var id: String
    var slo: String
    var rule: String
    var severity: String
    var state: String
    var since: String
    var fired: String
    var resolved: String
    var summary: String
    var context: [String]

    init(_ a: Alert) {
        id = a.id
        slo = a.slo
        rule = a.rule
        severity = a.severity
        state = a.state.rawValue
        since = TimeLabel.full(a.activeSince)
        fired = a.firedAt.map(TimeLabel.full) ?? "—"
        resolved = a.resolvedAt.map(TimeLabel.full) ?? "—"
        summary = a.summary
        context = Self.describe(a.context)
    }

    /// The context an on-call engineer reads first, one line per fact.
    static func describe(_ c: AlertContext?) -> [String] {
        guard let c else { return [] }
        var lines = [
            "SLI \(DashboardFormat.number(c.sli.value)) \(DashboardFormat.interval(c.sli.lower, c.sli.upper)) on n = \(DashboardFormat.count(c.sli.n)), objective \(c.objective) over \(c.window)"
        ]
        if let b = c.budgetRemaining { lines.append("budget left \(DashboardFormat.percent(b))") }
        if let r = c.recommendation { lines.append(r) }
        let burns = c.burnRates.compactMap { w in w.burnRate.map { "\(w.window): \(DashboardFormat.number($0))×" } }
        if !burns.isEmpty { lines.append("burn rates " + burns.joined(separator: ", ")) }
        if !c.worstSlices.isEmpty {
            lines.append(
                "where: "
                    + c.worstSlices.map {
                        "\($0.slice) \(DashboardFormat.number($0.value)) vs \(DashboardFormat.number($0.rest)) elsewhere (n = \($0.n), \(DashboardFormat.percent($0.impact)) of the bad events)"
                    }.joined(separator: "; "))
        }
        if !c.worstSegments.isEmpty {
            lines.append(
                "worst segments "
                    + c.worstSegments.map { "\($0.segment) \(DashboardFormat.number($0.value)) (n = \($0.n))" }
                    .joined(separator: ", "))
        }
        if !c.topDriftedColumns.isEmpty {
            lines.append(
                "drifted "
                    + c.topDriftedColumns.map { "\($0.column) (\($0.statistic) \(DashboardFormat.number($0.value)))" }
                    .joined(separator: ", "))
        }
        if !c.recentVersions.isEmpty {
            lines.append(
                "new versions "
                    + c.recentVersions.map { "\($0.version) since \(TimeLabel.full($0.firstSeen))" }
                    .joined(separator: ", "))
        }
        if !c.recentChanges.isEmpty {
            lines.append(
                "changes before "
                    + c.recentChanges.suffix(5).reversed().map { "\(TimeLabel.full($0.at)) \($0.summary)" }
                    .joined(separator: "; "))
        }
        return lines
    }
}
