/// What one slice of one bucket counted: predictions, and the labeled ones by outcome.
struct SliceCounts: Sendable, Codable, Hashable {
    var predictions: Int64 = 0
    var labeled: Int64 = 0
    /// Labeled predictions whose class equals the label (classifiers).
    var correct: Int64 = 0
    /// Binary classifiers: predicted 1 and labeled 1, predicted 1 and labeled 0, predicted 0 and labeled 1.
    var truePositives: Int64 = 0
    var falsePositives: Int64 = 0
    var falseNegatives: Int64 = 0

    /// Counts a label (`sign` −1 takes one back, for a correction).
    mutating func addLabel(prediction: Double, label: Double, _ sign: Int64) {
        labeled += sign
        if prediction == label { correct += sign }
        if prediction == 1 && label == 1 { truePositives += sign }
        if prediction == 1 && label == 0 { falsePositives += sign }
        if prediction == 0 && label == 1 { falseNegatives += sign }
    }

    mutating func merge(_ o: SliceCounts) {
        predictions += o.predictions
        labeled += o.labeled
        correct += o.correct
        truePositives += o.truePositives
        falsePositives += o.falsePositives
        falseNegatives += o.falseNegatives
    }

    static func - (a: SliceCounts, b: SliceCounts) -> SliceCounts {
        SliceCounts(
            predictions: a.predictions - b.predictions, labeled: a.labeled - b.labeled, correct: a.correct - b.correct,
            truePositives: a.truePositives - b.truePositives, falsePositives: a.falsePositives - b.falsePositives,
            falseNegatives: a.falseNegatives - b.falseNegatives)
    }
}
