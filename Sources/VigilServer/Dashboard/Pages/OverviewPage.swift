import Foundation
import HTTPTypes
import VigilCore

/// `/`: every model with its traffic, label coverage, headline metric, SLOs and firing alerts.
struct OverviewPage {
    struct ModelCard {
        var name: String
        var href: String
        var task: String
        var versions: String
        var lastEvent: String
        var rangeText: String
        var predictions: String
        var predictionsExact: String
        var rate: String
        var rateExact: String
        var coverage: String
        var coverageExact: String
        var headline: String
        var headlineValue: String
        var headlineExact: String
        var headlineInterval: String
        var slos: [SLORow]
        var hasSLOs: Bool
        var alerts: [AlertRow]
    }

    /// The form that declares a new model (``ModelFormRoutes``), empty or as last typed with its error.
    struct DeclareForm {
        var name = ""
        var taskOptions: [ModelSettingsPage.Option]
        var classes = ""
        var owner = ""
        var description = ""
        var error: String?
        var needsToken: Bool

        init(_ fields: [String: String] = [:], error: String? = nil, needsToken: Bool) {
            name = fields["name"] ?? ""
            taskOptions = ModelSettingsPage.Option.tasks(selected: fields["task"] ?? ModelTask.binary.rawValue)
            classes = fields["classes"] ?? ""
            owner = fields["owner"] ?? ""
            description = fields["description"] ?? ""
            self.error = error
            self.needsToken = needsToken
        }
    }

    var frame: PageFrame
    var models: [ModelCard]
    var isEmpty: Bool
    var declare: DeclareForm
    /// The model just deleted from its settings page.
    var deleted: String?

    init(_ sources: DashboardSources, _ query: [String: String]) async throws(APIError) {
        try QueryParameters.requireKnown(query, ["range", "to", "step", "deleted"])
        declare = DeclareForm(needsToken: sources.formsNeedToken)
        deleted = query["deleted"].map { String($0.prefix(256)) }
        let now = sources.clock()
        let summaries = try sources.summaries()
        let latest = summaries.compactMap(\.lastEvent).max()
        let pageRange = try DashboardRange(query, now: now, latest: latest)
        frame = PageFrame(
            title: "Overview", model: nil, page: .overview, path: "/", range: pageRange, latestEvent: latest, now: now)
        let firingAlerts = try await sources.log.storedAlerts(states: [.firing], limit: 200)
        var cards: [ModelCard] = []
        for summary in summaries {
            // Unpinned, each model gets the range ending at its own latest event.
            let range = try DashboardRange(query, now: now, latest: summary.lastEvent)
            cards.append(
                try await Self.card(summary, range, sources, alerts: firingAlerts.filter { $0.model == summary.name }))
        }
        models = cards
        isEmpty = cards.isEmpty
    }

    static func card(_ s: ModelSummary, _ range: DashboardRange, _ sources: DashboardSources, alerts: [Alert])
        async throws(APIError) -> ModelCard
    {
        let headline = DashboardSources.headline(s.task)
        let names = ["count", "label_coverage", headline]
        let report = try sources.host.query { engine throws(QueryError) in
            try engine.metrics(model: s.name, window: range.window, names: names)
        }
        let lastHour = try sources.host.query { engine throws(QueryError) in
            try engine.metrics(
                model: s.name, window: .range(from: range.to - .seconds(3600), to: range.to), names: ["count"])
        }
        let rate = Double(lastHour["count"]?.n ?? 0) / 3600
        let base = "/models/\(DashboardLinks.escape(s.name))"
        var rows: [SLORow] = []
        for slo in sources.slos.registry.all where slo.model == s.name {
            let status = try await sources.slos.status(slo, at: range.to)
            rows.append(
                SLORow(slo, status, href: "\(base)/slos?\(range.query())#slo-\(DashboardLinks.escape(slo.name))"))
        }
        let h = report[headline]
        return ModelCard(
            name: s.name, href: "\(base)?\(range.query())", task: s.task?.rawValue ?? "",
            versions: s.versions.sorted().joined(separator: ", "),
            lastEvent: s.lastEvent.map(TimeLabel.full) ?? "—",
            rangeText: range.span,
            predictions: DashboardFormat.count(report["count"]?.n ?? 0),
            predictionsExact: "\(report["count"]?.n ?? 0)",
            rate: DashboardFormat.rate(rate), rateExact: DashboardFormat.exact(rate),
            coverage: DashboardFormat.percent(report["label_coverage"]?.value),
            coverageExact: DashboardFormat.exact(report["label_coverage"]?.value),
            headline: headline, headlineValue: DashboardFormat.number(h?.value),
            headlineExact: DashboardFormat.exact(h?.value),
            headlineInterval: DashboardFormat.interval(h?.lower, h?.upper),
            slos: rows, hasSLOs: !rows.isEmpty, alerts: alerts.map(AlertRow.init))
    }
}
