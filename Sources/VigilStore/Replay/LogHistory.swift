import VigilCore

/// The recorded events of a time range, read from the log for an event-time replay: the predictions and
/// feedback in the range, and every model declaration and custom metric definition (applied up front, as a
/// backfill would, so the replay computes the metrics in force at the log's end).
///
/// A model's removal starts its history over: its earlier predictions, and the feedback for them, go.
struct LogHistory {
    var predictions: [Prediction] = []
    var feedback: [Feedback] = []
    private var definitions: [String: LogEntry] = [:]
    private var definitionOrder: [String] = []
    /// Each model's last declaration: applied up front, as definitions are (it comes before its traffic).
    private var declarations: [String: LogEntry] = [:]
    /// The first slice edges logged for each model (the ones an engine keeps).
    private var sliceEdges: [String: LogEntry] = [:]
    var read = LogSpanRead()
    /// Whether a model's removal came after events of this range: it may drop feedback for predictions before
    /// the range too, so only a replay from the beginning gives the same result.
    private(set) var removalAfterEvents = false

    /// Reads the events with times in `(after, through]` (from the beginning when `after` is `nil`).
    init(log: any Store, after: Timestamp?, through: Timestamp) async throws {
        let lower = after ?? Timestamp(milliseconds: .min)
        read = try await log.forEachRecord(eventsAfter: after, through: through) { _, bytes in
            try LogCodec.decode(bytes) { entry in add(entry, lower: lower, upper: through) }
        }
    }

    private mutating func add(_ entry: LogEntry, lower: Timestamp, upper: Timestamp) {
        switch entry {
        case .prediction(let p):
            if p.time > lower && p.time <= upper { predictions.append(p) }
        case .feedback(let f):
            if f.time > lower && f.time <= upper { feedback.append(f) }
        case .declareModel(let model, _, _):
            declarations[model] = entry
        case .sliceEdges(let model, _):
            if sliceEdges[model] == nil { sliceEdges[model] = entry }
        case .defineMetric(let model, let name, _, _), .deleteMetric(let model, let name):
            let key = "\(model)\u{1f}\(name)"
            if definitions[key] == nil { definitionOrder.append(key) }
            definitions[key] = entry
        case .deleteModel(let model):
            declarations[model] = nil
            sliceEdges[model] = nil
            if !predictions.isEmpty || !feedback.isEmpty { removalAfterEvents = true }
            let ids = Set(predictions.lazy.filter { $0.model == model }.map(\.id))
            predictions.removeAll { $0.model == model }
            feedback.removeAll { ids.contains($0.id) }
        case .checkpoint, .watermark:
            // An as-of replay applies the events in time order: the watermark follows from them.
            break
        }
    }

    /// An empty engine with the declarations and definitions in force at the log's end.
    func startEngine(_ configuration: EngineConfiguration) -> Engine {
        var engine = Engine(configuration: configuration)
        for (_, declaration) in declarations.sorted(by: { $0.key < $1.key }) { _ = engine.apply(declaration) }
        for (_, edges) in sliceEdges.sorted(by: { $0.key < $1.key }) { _ = engine.apply(edges) }
        for key in definitionOrder {
            if let entry = definitions[key], case .defineMetric = entry { _ = engine.apply(entry) }
        }
        return engine
    }

    var events: Int { predictions.count + feedback.count }

    /// The earliest event time read (after removals).
    var earliest: Timestamp? {
        [predictions.lazy.map(\.time).min(), feedback.lazy.map(\.time).min()].compactMap { $0 }.min()
    }
}
