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

    /// Events applied at once: consecutive predictions (or labels) go to the engine as one batch, so its
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
        var batch: [Int] = []
        var replayed = 0
        while let takePrediction = nextIsPrediction(through: limit) {
            guard replayed < atMost else { return false }
            batch.removeAll(keepingCapacity: true)
            while batch.count < Self.batchSize, nextIsPrediction(through: limit) == takePrediction {
                if takePrediction {
                    batch.append(p[i])
                    i += 1
                } else {
                    batch.append(f[j])
                    j += 1
                }
            }
            let outcomes =
                takePrediction
                ? engine.ingest(batch.map { predictions[$0] }, run: run)
                : engine.ingest(batch.map { feedback[$0] }, run: run)
            replayed += batch.count
            for (index, outcome) in zip(batch, outcomes) {
                switch outcome {
                case .success(let o): result.outcomes[o, default: 0] += 1
                case .failure(let error):
                    result.rejected.append(
                        EventReplay.Rejection(
                            source: takePrediction ? .predictions : .feedback, index: index, error: error))
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
