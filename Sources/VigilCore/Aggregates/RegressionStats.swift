/// Mergeable state of a regression model over labeled rows: error sums and label moments.
struct RegressionStats: Sendable, Hashable, Codable {
    var absErrorSum = 0.0
    var squaredErrorSum = 0.0
    /// Σ (ŷ − y): bias.
    var errorSum = 0.0
    var predictionSum = 0.0
    /// Σ |y − ŷ| / |y| over rows with y ≠ 0.
    var percentErrorSum = 0.0
    var percentRows: Int64 = 0
    var zeroLabelRows: Int64 = 0
    var labels = Moments()

    mutating func apply(prediction: Double, label: Double, _ delta: Int64) {
        let sign = Double(delta)
        let e = prediction - label
        absErrorSum += sign * abs(e)
        squaredErrorSum += sign * e * e
        errorSum += sign * e
        predictionSum += sign * prediction
        if label != 0 {
            percentErrorSum += sign * abs(e) / abs(label)
            percentRows += delta
        } else {
            zeroLabelRows += delta
        }
        if delta > 0 { labels.add(label) } else { labels.remove(label) }
    }

    mutating func merge(_ o: RegressionStats) {
        absErrorSum += o.absErrorSum
        squaredErrorSum += o.squaredErrorSum
        errorSum += o.errorSum
        predictionSum += o.predictionSum
        percentErrorSum += o.percentErrorSum
        percentRows += o.percentRows
        zeroLabelRows += o.zeroLabelRows
        labels.merge(o.labels)
    }
}
