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

    /// Replays every event at or before `t` (all of them when `nil`) into `engine`.
    public mutating func advance(through t: Timestamp?, into engine: inout Engine, result: inout EventReplay.Result) {
        let limit = t ?? Timestamp(milliseconds: .max)
        while true {
            let takePrediction: Bool
            switch (i < p.count ? predictions[p[i]].time : nil, j < f.count ? feedback[f[j]].time : nil) {
            case (let a?, let b?): takePrediction = a <= b
            case (_?, nil): takePrediction = true
            case (nil, _?): takePrediction = false
            case (nil, nil): return
            }
            if takePrediction {
                guard predictions[p[i]].time <= limit else { return }
                do {
                    result.outcomes[try engine.ingest(predictions[p[i]]), default: 0] += 1
                } catch {
                    result.rejected.append(EventReplay.Rejection(source: .predictions, index: p[i], error: error))
                }
                i += 1
            } else {
                guard feedback[f[j]].time <= limit else { return }
                do {
                    result.outcomes[try engine.ingest(feedback[f[j]]), default: 0] += 1
                } catch {
                    result.rejected.append(EventReplay.Rejection(source: .feedback, index: f[j], error: error))
                }
                j += 1
            }
        }
    }
}
