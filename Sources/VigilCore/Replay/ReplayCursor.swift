/// A position in recorded predictions and feedback, replayed in the order they happened: predictions by
/// event time, feedback by arrival time, a prediction first at equal times.
///
/// Advancing to successive times replays history step by step, so an evaluation at each step sees only
/// what had arrived by then (a backtest).
public struct ReplayCursor: Sendable {
    private let predictions: [Prediction]
    private let feedback: [Feedback]
    private let p: [Int]
    private let f: [Int]
    private var i = 0
    private var j = 0

    public init(predictions: [Prediction], feedback: [Feedback]) {
        self.predictions = predictions
        self.feedback = feedback
        p = predictions.indices.sorted { (predictions[$0].time, $0) < (predictions[$1].time, $1) }
        f = feedback.indices.sorted { (feedback[$0].time, $0) < (feedback[$1].time, $1) }
    }

    /// True when every event has been replayed.
    public var isAtEnd: Bool { i == p.count && j == f.count }

    /// The time of the next event, if any.
    public var nextTime: Timestamp? {
        switch (i < p.count ? predictions[p[i]].time : nil, j < f.count ? feedback[f[j]].time : nil) {
        case (let a?, let b?): return min(a, b)
        case (let a, let b): return a ?? b
        }
    }

    /// Events applied at once: consecutive predictions and labels go to the engine as one batch, so its
    /// shards can run side by side. Recovery replays the log in batches of this size too.
    public static let batchSize = 4096

    /// Replays every event at or before `t` (all of them when `nil`) into `engine`; `run` runs the shards of
    /// each batch (see ``Engine/ingest(_:run:)-(Array<Prediction>,_)``).
    ///
    /// With `atMost`, stops after about that many events (at a batch boundary), for progress reports.
    /// - Returns: whether every event at or before `t` has been replayed.
    @discardableResult
    public mutating func advance(
        through t: Timestamp?, into engine: inout Engine, result: inout EventReplay.Result,
        atMost: Int = .max, run: @escaping Engine.ShardRunner = Engine.sequentially
    ) -> Bool {
        let limit = t ?? Timestamp(milliseconds: .max)
        var batch: [Event] = []
        // Each event's input and index there, for rejections.
        var sources: [(prediction: Bool, index: Int)] = []
        var replayed = 0
        while nextIsPrediction(through: limit) != nil {
            guard replayed < atMost else { return false }
            batch.removeAll(keepingCapacity: true)
            sources.removeAll(keepingCapacity: true)
            // Predictions and labels in one batch, in time order: the engine runs its shards side by side
            // over both.
            while batch.count < Self.batchSize, let takePrediction = nextIsPrediction(through: limit) {
                if takePrediction {
                    batch.append(.prediction(predictions[p[i]]))
                    sources.append((true, p[i]))
                    i += 1
                } else {
                    batch.append(.feedback(feedback[f[j]]))
                    sources.append((false, f[j]))
                    j += 1
                }
            }
            replayed += batch.count
            for (source, outcome) in zip(sources, engine.ingest(batch, run: run)) {
                switch outcome {
                case .success(let o): result.outcomes[o, default: 0] += 1
                case .failure(let error):
                    result.rejected.append(
                        EventReplay.Rejection(
                            source: source.prediction ? .predictions : .feedback, index: source.index, error: error))
                }
            }
        }
        return true
    }

    /// Whether the next event is a prediction (`nil` past `limit` or at the end); a prediction goes first at
    /// equal times.
    private func nextIsPrediction(through limit: Timestamp) -> Bool? {
        switch (i < p.count ? predictions[p[i]].time : nil, j < f.count ? feedback[f[j]].time : nil) {
        case (let a?, let b?): return min(a, b) <= limit ? a <= b : nil
        case (let a?, nil): return a <= limit ? true : nil
        case (nil, let b?): return b <= limit ? false : nil
        case (nil, nil): return nil
        }
    }
}
