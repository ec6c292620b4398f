import HTTPTypes
import VigilCore
import VigilStore

/// What dashboard pages read: the live engine, the SLOs, the stored alerts and the model documents.
struct DashboardSources: Sendable {
    let slos: LiveSLOs
    let log: EventLog
    let clock: @Sendable () -> Timestamp

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

    /// The headline metric of a task: accuracy for classifiers, RMSE for regression.
    static func headline(_ task: ModelTask?) -> String { task == .regression ? "rmse" : "accuracy" }
}
