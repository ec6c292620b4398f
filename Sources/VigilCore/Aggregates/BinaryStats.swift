import Foundation

/// Mergeable state of a binary classifier over labeled rows: confusion matrix and score sums.
struct BinaryStats: Sendable, Hashable {
    var tp: Int64 = 0
    var fp: Int64 = 0
    var tn: Int64 = 0
    var fn: Int64 = 0
    /// Rows with a score (the score-based metrics' denominator).
    var scored: Int64 = 0
    var logLossSum = 0.0
    var brierSum = 0.0
    var scoreSum = 0.0
    var calibration = CalibrationBins()
    var histogram = ScoreHistogram()

    /// Log loss clips like scikit-learn did before 1.5, so that a score of exactly 0 or 1 stays finite.
    static let epsilon = 1e-15

    mutating func apply(score: Double?, prediction: Double, label: Double, _ delta: Int64) {
        let positiveLabel = label >= 0.5
        let positivePrediction = prediction >= 0.5
        switch (positivePrediction, positiveLabel) {
        case (true, true): tp += delta
        case (true, false): fp += delta
        case (false, false): tn += delta
        case (false, true): fn += delta
        }
        guard let s = score else { return }
        let sign = Double(delta)
        scored += delta
        let p = Swift.min(Swift.max(s, Self.epsilon), 1 - Self.epsilon)
        logLossSum -= sign * (positiveLabel ? Foundation.log(p) : Foundation.log(1 - p))
        brierSum += sign * (s - label) * (s - label)
        scoreSum += sign * s
        calibration.add(score: s, label: label, sign)
        histogram.add(score: s, label: label, delta)
    }

    mutating func merge(_ o: BinaryStats, _ parts: AggregateParts) {
        tp += o.tp
        fp += o.fp
        tn += o.tn
        fn += o.fn
        scored += o.scored
        logLossSum += o.logLossSum
        brierSum += o.brierSum
        scoreSum += o.scoreSum
        if parts.contains(.calibration) { calibration.merge(o.calibration) }
        if parts.contains(.histogram) { histogram.merge(o.histogram) }
    }
}
