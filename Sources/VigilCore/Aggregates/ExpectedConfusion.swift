/// Score sums split by predicted class, over all scored predictions and over the labeled ones, from which
/// the expected confusion matrix of the *unlabeled* predictions follows (confidence-based performance
/// estimation, CBPE): if scores are calibrated, an unlabeled positive prediction with score `s` is a true
/// positive with probability `s`.
struct ExpectedConfusion: Sendable, Hashable, Codable {
    /// One scored prediction's contribution.
    struct Row {
        var score: Double
        var positive: Bool
    }

    /// Counts, score sums and Bernoulli variances `Σ s(1 − s)` per predicted class.
    struct Sums: Sendable, Hashable, Codable {
        var positives: Int64 = 0
        var positiveScores = 0.0
        var positiveVariance = 0.0
        var negatives: Int64 = 0
        var negativeScores = 0.0
        var negativeVariance = 0.0

        mutating func add(_ r: Row, _ delta: Int64) {
            let sign = Double(delta)
            if r.positive {
                positives += delta
                positiveScores += sign * r.score
                positiveVariance += sign * r.score * (1 - r.score)
            } else {
                negatives += delta
                negativeScores += sign * r.score
                negativeVariance += sign * r.score * (1 - r.score)
            }
        }

        mutating func merge(_ o: Sums) {
            positives += o.positives
            positiveScores += o.positiveScores
            positiveVariance += o.positiveVariance
            negatives += o.negatives
            negativeScores += o.negativeScores
            negativeVariance += o.negativeVariance
        }

        static func - (a: Sums, b: Sums) -> Sums {
            Sums(
                positives: a.positives - b.positives, positiveScores: a.positiveScores - b.positiveScores,
                positiveVariance: a.positiveVariance - b.positiveVariance, negatives: a.negatives - b.negatives,
                negativeScores: a.negativeScores - b.negativeScores,
                negativeVariance: a.negativeVariance - b.negativeVariance)
        }
    }

    /// Every scored prediction, counted when it is ingested.
    var all = Sums()
    /// The scored predictions that have a label.
    var labeled = Sums()

    mutating func merge(_ o: ExpectedConfusion) {
        all.merge(o.all)
        labeled.merge(o.labeled)
    }

    /// The scored predictions still waiting for a label.
    var unlabeled: Sums { all - labeled }
}
