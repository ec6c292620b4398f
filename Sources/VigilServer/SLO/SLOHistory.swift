import HTTPTypes
import VigilCore
import VigilStore

/// The retained log as recorded events, for backtests and point-in-time SLO status: predictions, feedback,
/// and the custom metric definitions in force at its end (applied up front, as a backfill would).
struct SLOHistory {
    var predictions: [Prediction] = []
    var feedback: [Feedback] = []
    var start: Engine
    /// The earliest event time in the retained log (older history was pruned by retention).
    var earliest: Timestamp?
    /// The latest event time (prediction or feedback arrival) in the log.
    var latest: Timestamp?

    init(log: EventLog, configuration: EngineConfiguration) throws(APIError) {
        start = Engine(configuration: configuration)
        var definitions: [String: LogEntry] = [:]
        var order: [String] = []
        // Each model's last declaration: applied up front, as definitions are (it comes before its traffic).
        var declarations: [String: LogEntry] = [:]
        do {
            try log.forEachEntry(after: 0) { _, entry in
                switch entry {
                case .prediction(let p): predictions.append(p)
                case .feedback(let f): feedback.append(f)
                case .declareModel(let model, _, _):
                    declarations[model] = entry
                case .defineMetric(let model, let name, _, _), .deleteMetric(let model, let name):
                    let key = "\(model)\u{1f}\(name)"
                    if definitions[key] == nil { order.append(key) }
                    definitions[key] = entry
                case .deleteModel(let model):
                    declarations[model] = nil
                    // History starts after the removal: the model's earlier predictions and their labels go.
                    let ids = Set(predictions.lazy.filter { $0.model == model }.map(\.id))
                    predictions.removeAll { $0.model == model }
                    feedback.removeAll { ids.contains($0.id) }
                }
            }
        } catch {
            throw APIError(.internalServerError, "storage_failed", "could not read the event log: \(error)")
        }
        for (_, declaration) in declarations.sorted(by: { $0.key < $1.key }) { _ = start.apply(declaration) }
        for key in order {
            if let entry = definitions[key], case .defineMetric = entry { _ = start.apply(entry) }
        }
        let p = predictions.lazy.map(\.time)
        let f = feedback.lazy.map(\.time)
        earliest = [p.min(), f.min()].compactMap { $0 }.min()
        latest = [p.max(), f.max()].compactMap { $0 }.max()
    }

    var cursor: ReplayCursor { ReplayCursor(predictions: predictions, feedback: feedback) }
}
