import VigilCore

/// One entry of the append-only log, in the order the engine applied it.
///
/// Replaying the entries in order rebuilds the engine exactly: events, and the control entries that
/// changed what the engine computes (custom metric definitions) at the point they took effect.
public enum LogEntry: Sendable, Hashable {
    case prediction(Prediction)
    case feedback(Feedback)
    /// A custom metric defined (or redefined); `backfill` computes it over the stored history.
    case defineMetric(model: String, name: String, expression: String, backfill: Bool)
    case deleteMetric(model: String, name: String)
    /// A model removed, with everything the engine held for it.
    case deleteModel(model: String)
    /// A model's task (and multiclass class order) declared before, or agreeing with, its predictions.
    case declareModel(model: String, task: ModelTask, classes: [String])
    /// A point every node owning shards saves them at (see ``ShardSnapshotStore``): with the others' snapshots of
    /// the same batch, a whole engine's state that retention can cut the log at. It changes nothing.
    case checkpoint
    /// The newest event time of a batch split by shard (``LogRecord/parts``): a node that reads only some shards'
    /// rows moves its watermark there, as the rows it did not read moved the writer's. A node that read every
    /// row is there already.
    case watermark(Timestamp)
    /// A model's numeric columns' slice bins (interior cut points, from its reference's quintiles): the first
    /// edges a column is given stay (see ``Engine/setSliceEdges(model:_:)``).
    case sliceEdges(model: String, edges: [String: [Double]])

    /// The event time an entry carries, for retention.
    public var eventTime: Timestamp? {
        switch self {
        case .prediction(let p): return p.time
        case .feedback(let f): return f.time
        case .defineMetric, .deleteMetric, .deleteModel, .declareModel, .checkpoint, .watermark, .sliceEdges: return nil
        }
    }
}
