/// A model's custom metrics and the accumulators they need in every bucket.
struct CustomMetricRegistry: Sendable {
    struct Entry: Sendable {
        var expression: MetricExpression
        /// The metric's accumulators, as indices into `accumulators`.
        var slots: [Int]
    }

    private(set) var names: [String] = []
    private(set) var metrics: [String: Entry] = [:]
    private(set) var accumulators: [AccumulatorSpec] = []
    /// Accumulators a label cannot change: updated once, when the prediction arrives.
    private(set) var labelIndependent: [Int] = []
    /// Accumulators updated on every label change (old contribution out, new in).
    private(set) var labelDependent: [Int] = []
    /// Features that label-dependent accumulators read, so the join keeps them until the label comes.
    private(set) var retainedFeatures: Set<String> = []

    var isEmpty: Bool { accumulators.isEmpty }

    mutating func define(_ name: String, _ expression: MetricExpression) {
        var slots: [Int] = []
        for spec in expression.accumulators {
            if let i = accumulators.firstIndex(of: spec) {
                slots.append(i)
                continue
            }
            accumulators.append(spec)
            let i = accumulators.count - 1
            slots.append(i)
            if spec.dependsOnLabel {
                labelDependent.append(i)
                for case .feature(let f) in spec.row?.variables ?? [] { retainedFeatures.insert(f) }
            } else {
                labelIndependent.append(i)
            }
        }
        if metrics[name] == nil { names.append(name) }
        metrics[name] = Entry(expression: expression, slots: slots)
    }

    /// The metric's value and sample size from merged bucket sums.
    func value(_ name: String, _ sums: CustomSums) -> MetricValue? {
        guard let entry = metrics[name] else { return nil }
        let values = entry.slots.map { sums.value($0, accumulators[$0]) }
        let n = entry.slots.map { sums.rows($0) }.max() ?? 0
        return MetricValue(entry.expression.formula.evaluate(values), n: n)
    }
}
