import HTTPTypes
import VigilCore
import VigilStore

/// What dashboard pages read: the live engine, the SLOs, the stored alerts and the model documents.
struct DashboardSources: Sendable {
    let slos: LiveSLOs
    let log: any Store
    let clock: @Sendable () -> Timestamp
    /// Whether the server has tokens, so the dashboard's forms ask for a write token.
    let formsNeedToken: Bool

    var host: EngineHost { slos.host }
    var documents: ModelDocuments { slos.documents }

    func summaries() throws(APIError) -> [ModelSummary] {
        try host.requireReady()
        return host.read { engine in engine.modelSummaries.filter { $0.task != nil }.sorted { $0.name < $1.name } }
    }

    func summary(_ model: String) throws(APIError) -> ModelSummary {
        try host.requireReady()
        return try host.query { engine throws(QueryError) in try engine.modelSummary(model) }
    }

    /// The model's changes in the range, and its deployments' starts and ends, as markers for its time charts
    /// (at most 50 changes, the newest; a failed read only leaves them out). A deployment recorded today with
    /// a past `started_at` is drawn when it went live.
    func changeMarkers(_ model: String, _ range: DashboardRange) async -> [LineChart.Marker] {
        let changes =
            (try? await log.changes(model: model, from: range.from, to: range.to, kinds: nil, limit: 50)) ?? []
        var markers = changes.map { c in
            LineChart.Marker(
                x: Double(c.at.milliseconds), label: Self.markerLabel(c), note: "\(TimeLabel.full(c.at)) \(c.summary)")
        }
        for d in (try? await log.deployments(model: model)) ?? [] {
            let edges = [(d.startedAt, "\(d.version) \(d.stage.rawValue) from"), (d.endedAt, "\(d.version) ended")]
            for case let (at?, what) in edges where at >= range.from && at < range.to {
                markers.append(
                    LineChart.Marker(
                        x: Double(at.milliseconds), label: d.version, note: "\(what) \(TimeLabel.full(at))"))
            }
        }
        return markers.sorted { $0.x < $1.x }
    }

    /// A few characters that say what changed: the version, or what kind of document.
    static func markerLabel(_ c: Change) -> String {
        switch c.kind {
        case .deployment, .stage, .trafficShare: return String(c.subject.prefix(12))
        case .reference: return "reference"
        case .rules: return "rules"
        case .slo: return "SLO"
        case .customMetric: return "metric"
        }
    }

    /// The headline metric of a task: accuracy for classifiers, RMSE for regression.
    static func headline(_ task: ModelTask?) -> String { task == .regression ? "rmse" : "accuracy" }
}
