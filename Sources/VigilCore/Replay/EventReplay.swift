/// Replays recorded predictions and feedback into an engine in event-time order, as they would
/// have arrived, optionally as of a cutoff.
///
/// Predictions are ordered by event time and feedback by arrival time; at equal times a prediction
/// goes first. With `asOf`, only feedback that had arrived by then (arrival `<=` cutoff) is used:
/// "what did we know on Feb 11?".
///
/// ```swift
/// let result = EventReplay(asOf: cutoff).run(predictions: ps, feedback: fs, into: &engine)
/// result.rejected  // rows the engine refused, with their index and reason
/// ```
public struct EventReplay: Sendable {
    /// Which input a rejected row came from.
    public enum Source: String, Sendable, Hashable {
        case predictions, feedback
    }

    /// A row the engine refused.
    public struct Rejection: Sendable, Hashable {
        public var source: Source
        /// Index of the row in its input array.
        public var index: Int
        public var error: EventError
    }

    /// What a replay did.
    public struct Result: Sendable, Hashable {
        public var rejected: [Rejection] = []
        /// Feedback rows left out because they arrived after the as-of cutoff.
        public var feedbackAfterCutoff = 0
        public var outcomes: [IngestOutcome: Int] = [:]

        public init() {}

        /// Events the engine was given: accepted (whatever the outcome) or rejected.
        public var applied: Int { outcomes.values.reduce(0, +) + rejected.count }
    }

    public var asOf: Timestamp?

    public init(asOf: Timestamp? = nil) { self.asOf = asOf }

    /// Replays into `engine`; `run` runs the shards of each batch of events (one after another by default).
    public func run(
        predictions: [Prediction], feedback: [Feedback], into engine: inout Engine,
        run: @escaping Engine.ShardRunner = Engine.sequentially
    ) -> Result {
        var result = Result()
        var kept = feedback
        if let asOf {
            kept = feedback.filter { $0.time <= asOf }
            result.feedbackAfterCutoff = feedback.count - kept.count
        }
        var cursor = ReplayCursor(predictions: predictions, feedback: kept)
        cursor.advance(through: nil, into: &engine, result: &result, run: run)
        result.rejected.sort { ($0.source.rawValue, $0.index) < ($1.source.rawValue, $1.index) }
        return result
    }
}
