import VigilCore

/// What to say when a query's range holds none of a model's data — the demo recorded in February 2020 asked
/// about "the last 7 days" — and the range that has it, instead of a silent answer of zeros.
enum EmptyRange {
    /// A note when `[from, to)` misses every prediction of the model; `nil` when it holds some (or the model has
    /// none yet).
    static func note(_ summary: ModelSummary, from: Timestamp, to: Timestamp) -> String? {
        guard let first = summary.firstEvent, let last = summary.lastEvent else { return nil }
        guard last < from || first >= to else { return nil }
        let end = Timestamp(milliseconds: last.milliseconds - last.milliseconds % 86_400_000 + 86_400_000)
        return "no predictions of \(summary.name) from \(from.iso8601) to \(to.iso8601); its data runs from \(first.iso8601) to \(last.iso8601): ask with to=\(end.iso8601) (or a from/to range inside it)"
    }

    /// The same for a query's window (`nil` when cumulative).
    static func note(_ summary: ModelSummary, window: Window) -> String? {
        switch window {
        case .cumulative: return nil
        case .last(let d, let now): return note(summary, from: now - d, to: now)
        case .range(let from, let to): return note(summary, from: from, to: to)
        }
    }

    /// The same, read from the engine (`nil` for a model it does not know: the query's own error says so).
    static func note(_ engine: Engine, model: String, window: Window) -> String? {
        guard let summary = try? engine.modelSummary(model) else { return nil }
        return note(summary, window: window)
    }
}
