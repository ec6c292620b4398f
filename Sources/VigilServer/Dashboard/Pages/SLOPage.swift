import Foundation
import HTTPTypes
import VigilCore

/// `/models/{model}/slos`: each SLO's status at the range's end, its error budget and SLI across the range,
/// its burn rates and alert conditions, and its alert history with the context recorded when each fired.
struct SLOPage {
    struct BurnRow {
        var window: String
        var value: String
        var exact: String
        var n: String
        var burnRate: String
        var burnRateExact: String
        /// The buckets the window was read from (`1m`, `1h`); none for SLIs that read no buckets.
        var resolution: String?
        var coarsened: Bool
    }

    struct ConditionRow {
        var rule: String
        var severity: String
        var fires: Bool
        var holds: Bool
        var reason: String
    }

    struct Card {
        var status: SLORow
        var anchor: String
        var description: String?
        var budgetChart: String
        var sliChart: String
        var burns: [BurnRow]
        /// Why some windows read more than their name (``SLOStatus/coarsenedNote``).
        var burnNote: String?
        var conditions: [ConditionRow]
        var alerts: [AlertRow]
        var hasAlerts: Bool
    }

    var frame: PageFrame
    var cards: [Card]
    var isEmpty: Bool
    var model: String

    init(_ sources: DashboardSources, model: String, _ query: [String: String]) async throws(APIError) {
        try QueryParameters.requireKnown(query, ["range", "to", "step"])
        let now = sources.clock()
        let summary = try sources.summary(model)
        // Each point re-evaluates every SLO (drift and quality SLIs merge column profiles): 30 points keep the
        // page within its time budget, and a burn-down needs no finer grain.
        let range = try DashboardRange(query, now: now, latest: summary.lastEvent, points: 30)
        self.model = model
        frame = PageFrame(
            title: "\(model) · SLOs", model: model, page: .slos, path: "/models/\(DashboardLinks.escape(model))/slos",
            range: range, latestEvent: summary.lastEvent, now: now)
        var cards: [Card] = []
        // Every SLO here is on this model: its changes are read once for all their charts.
        let markers = await sources.changeMarkers(model, range)
        for slo in sources.slos.registry.all where slo.model == model {
            cards.append(try await Self.card(slo, range, sources, markers: markers))
        }
        self.cards = cards
        isEmpty = cards.isEmpty
    }

    static func card(
        _ slo: SLODefinition, _ range: DashboardRange, _ sources: DashboardSources, markers: [LineChart.Marker]
    ) async throws(APIError) -> Card {
        // The budget and SLI as they stood at the end of each step (with every label received so far); the last
        // step ends at the range's end, so its status is the one the card shows.
        let slices = range.slices
        let statuses = try await sources.slos.statuses(slo, at: slices.map(\.to))
        let status = statuses[statuses.count - 1]
        var budget: [LineChart.Point] = []
        var sli: [LineChart.Point] = []
        for (slice, s) in zip(slices, statuses) {
            let x = Double(slice.to.milliseconds)
            let when = TimeLabel.full(slice.to)
            budget.append(
                LineChart.Point(
                    x: x, y: s.budget?.remainingFraction,
                    note: "\(when): \(DashboardFormat.percent(s.budget?.remainingFraction)) of the budget left"))
            sli.append(
                LineChart.Point(
                    x: x, y: s.value.value, lower: s.value.lower, upper: s.value.upper,
                    note:
                        "\(when): \(DashboardFormat.number(s.value.value)) \(DashboardFormat.interval(s.value.lower, s.value.upper)) n = \(DashboardFormat.count(s.value.n)) · \(s.verdict.rawValue)"
                ))
        }
        let domain = Double(range.from.milliseconds)...Double(range.to.milliseconds)
        let lowest = min(budget.compactMap(\.y).min() ?? 0, 0)
        let budgetChart = LineChart(
            title: "error budget left", xDomain: domain, yDomain: lowest...1,
            yFormat: { DashboardFormat.percent($0, digits: 0) },
            series: [
                LineChart.Series(
                    name: "budget left over the \(status.window) up to each time", color: Palette.color(2),
                    points: budget)
            ],
            guides: [LineChart.Guide(y: 0, label: "spent")], markers: markers, width: 560, height: 230
        ).render()
        let sliChart = LineChart(
            title: "SLI", xDomain: domain,
            series: [
                LineChart.Series(name: "\(status.sli) over the \(status.window)", color: Palette.color(0), points: sli)
            ],
            guides: [LineChart.Guide(y: slo.objective.target, label: "objective \(slo.objective)")], markers: markers,
            width: 560, height: 230
        ).render()
        let alerts = try await sources.log.storedAlerts(slo: slo.name, limit: 50)
        return Card(
            status: SLORow(slo, status, href: "#slo-\(DashboardLinks.escape(slo.name))"),
            anchor: "slo-\(DashboardLinks.escape(slo.name))", description: slo.description,
            budgetChart: budgetChart, sliChart: sliChart,
            burns: status.burnRates.map { w in
                BurnRow(
                    window: w.window, value: DashboardFormat.number(w.sli.value),
                    exact: DashboardFormat.exact(w.sli.value),
                    n: DashboardFormat.count(w.sli.n),
                    burnRate: w.burnRate.map { DashboardFormat.number($0) + "×" } ?? "—",
                    burnRateExact: DashboardFormat.exact(w.burnRate), resolution: w.resolution,
                    coarsened: w.isCoarsened)
            },
            burnNote: status.coarsenedNote,
            conditions: status.conditions.map {
                ConditionRow(rule: $0.rule, severity: $0.severity, fires: $0.fires, holds: $0.holds, reason: $0.reason)
            },
            alerts: alerts.map(AlertRow.init), hasAlerts: !alerts.isEmpty)
    }
}
