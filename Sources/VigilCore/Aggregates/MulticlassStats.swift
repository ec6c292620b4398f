/// Mergeable state of a multiclass classifier over labeled rows: a K×K confusion matrix and log-loss sum.
struct MulticlassStats: Sendable, Hashable, Codable {
    /// Rows = true class, columns = predicted class, row-major, `classes × classes`.
    var confusion: [Int64] = []
    var classes = 0
    var logLossSum = 0.0
    /// Rows whose score for their true class was known.
    var scored: Int64 = 0

    mutating func ensure(classes k: Int) {
        guard k > classes else { return }
        var grown = [Int64](repeating: 0, count: k * k)
        for t in 0..<classes {
            for p in 0..<classes { grown[t * k + p] = confusion[t * classes + p] }
        }
        confusion = grown
        classes = k
    }

    mutating func apply(prediction: Int, label: Int, logLoss: Double?, _ delta: Int64) {
        ensure(classes: Swift.max(prediction, label) + 1)
        confusion[label * classes + prediction] += delta
        if let logLoss {
            scored += delta
            logLossSum += Double(delta) * logLoss
        }
    }

    mutating func merge(_ o: MulticlassStats) {
        ensure(classes: o.classes)
        for t in 0..<o.classes {
            for p in 0..<o.classes { confusion[t * classes + p] += o.confusion[t * o.classes + p] }
        }
        logLossSum += o.logLossSum
        scored += o.scored
    }

    func cell(_ t: Int, _ p: Int) -> Int64 { t < classes && p < classes ? confusion[t * classes + p] : 0 }
}
