import Foundation

/// Mergeable state of a binary classifier over labeled rows: confusion matrix and score sums.
struct BinaryStats: Sendable, Hashable, Codable {
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

    static let epsilon = 1e-15

    mutating func apply(_ row: LabeledRow, _ delta: Int64) {
        let positiveLabel = row.label >= 0.5
        let positivePrediction = row.prediction >= 0.5
        switch (positivePrediction, positiveLabel) {
        case (true, true): tp += delta
        case (true, false): fp += delta
        case (false, false): tn += delta
        case (false, true): fn += delta
        }
        guard let s = row.score else { return }
        let sign = Double(delta)
        scored += delta
        logLossSum += sign * row.logLoss
        brierSum += sign * (s - row.label) * (s - row.label)
        scoreSum += sign * s
        calibration.add(bin: row.calibrationBin, score: s, label: row.label, sign)
        histogram.add(bin: row.scoreBin, positive: positiveLabel, delta)
    }

    /// The row's log-loss term, clipped like scikit-learn before 1.5 so that a score of 0 or 1 stays finite.
    static func logLoss(score s: Double, label: Double) -> Double {
        let p = Swift.min(Swift.max(s, epsilon), 1 - epsilon)
        return label >= 0.5 ? -Foundation.log(p) : -Foundation.log(1 - p)
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
