import VigilCore

extension Engine {
    /// Applies one log entry, exactly as it was applied when it was accepted.
    ///
    /// Entries reach the log only after the engine accepted them, so replay repeats the same decisions;
    /// an entry that fails again here (which would mean a changed engine rule) is skipped and counted.
    /// - Returns: `false` if the entry was rejected.
    @discardableResult
    public mutating func apply(_ entry: LogEntry) -> Bool {
        do {
            switch entry {
            case .prediction(let p): try ingest(p)
            case .feedback(let f): try ingest(f)
            case .defineMetric(let model, let name, let expression, _): try defineMetric(name, on: model, expression)
            case .deleteMetric(let model, let name): try removeMetric(name, on: model)
            case .deleteModel(let model): try removeModel(model)
            case .declareModel(let model, let task, let classes):
                try declare(model: model, task: task, classes: classes)
            case .checkpoint: break
            case .watermark(let time): advance(to: time)
            case .sliceEdges(let model, let edges): setSliceEdges(model: model, edges)
            }
            return true
        } catch {
            return false
        }
    }
}
