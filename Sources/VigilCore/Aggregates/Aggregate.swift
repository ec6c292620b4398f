import Foundation

/// Everything a bucket knows about the predictions whose event time falls in it, mergeable.
///
/// Only the part for the model's task is used; the others stay empty. Every update can be undone
/// (`delta = -1`), which is how corrections replace a label.
struct Aggregate: Sendable, Hashable, Codable {
    var count: Int64 = 0
    var labeled: Int64 = 0
    var binary = BinaryStats()
    var multiclass = MulticlassStats()
    var regression = RegressionStats()
    var lag = LagSketch()
    var custom = CustomSums()
    var expected = ExpectedConfusion()

    /// Adds (`delta = 1`) or removes (`-1`) the labeled contribution of one row.
    mutating func apply(_ row: LabeledRow, _ delta: Int64) {
        labeled += delta
        switch row.task {
        case .binary:
            binary.apply(row, delta)
            if let s = row.score { expected.labeled.add(.init(score: s, positive: row.prediction >= 0.5), delta) }
        case .multiclass:
            multiclass.apply(prediction: Int(row.prediction), label: Int(row.label), logLoss: row.logLossValue, delta)
        case .regression:
            regression.apply(prediction: row.prediction, label: row.label, delta)
        }
    }

    mutating func merge(_ o: Aggregate, _ parts: AggregateParts) {
        count += o.count
        labeled += o.labeled
        binary.merge(o.binary, parts)
        multiclass.merge(o.multiclass)
        regression.merge(o.regression)
        expected.merge(o.expected)
        if parts.contains(.lag) { lag.merge(o.lag) }
        if parts.contains(.custom) { custom.merge(o.custom) }
    }

    /// Approximate heap plus inline bytes, for memory reports.
    var footprint: Int {
        MemoryLayout<Aggregate>.stride + binary.histogram.allocatedBytes + multiclass.confusion.capacity * 8
            + lag.buckets.allocatedBytes + custom.sums.capacity * 8
    }
}

/// What a labeled row contributes: the prediction's stored values, its label in effect, and the
/// per-row terms computed once (not once per bucket level).
struct LabeledRow {
    var task: ModelTask
    var score: Double?
    var prediction: Double
    var label: Double
    /// Binary: the log-loss term; multiclass: −ln(score of the true class) when known.
    var logLoss = 0.0
    var hasLogLoss = false
    var scoreBin = 0
    var calibrationBin = 0

    init(task: ModelTask, score: Double?, prediction: Double, label: Double, trueClassScore: Double? = nil) {
        self.task = task
        self.score = score
        self.prediction = prediction
        self.label = label
        if let s = score {
            logLoss = BinaryStats.logLoss(score: s, label: label)
            hasLogLoss = true
            scoreBin = ScoreHistogram.bin(s)
            calibrationBin = CalibrationBins.bin(s)
        } else if let t = trueClassScore {
            logLoss = -Foundation.log(Swift.max(t, BinaryStats.epsilon))
            hasLogLoss = true
        }
    }

    var logLossValue: Double? { hasLogLoss ? logLoss : nil }
}
