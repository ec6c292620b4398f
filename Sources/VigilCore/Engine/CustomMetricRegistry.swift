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

    /// Every define (`source`) and remove (`nil`) in order: replaying it rebuilds the same accumulator slots.
    private(set) var history: [Change] = []

    struct Change: Codable, Sendable {
        var name: String
        var source: String?
    }

    var isEmpty: Bool { accumulators.isEmpty }

    mutating func define(_ name: String, _ expression: MetricExpression) {
        history.append(Change(name: name, source: expression.source))
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

    /// Forgets a metric; its accumulators stay because other metrics may share their slots.
    mutating func remove(_ name: String) {
        history.append(Change(name: name, source: nil))
        metrics[name] = nil
        names.removeAll { $0 == name }
    }

    /// The metric's value and sample size from merged bucket sums.
    func value(_ name: String, _ sums: CustomSums) -> MetricValue? {
        guard let entry = metrics[name] else { return nil }
        let values = entry.slots.map { sums.value($0, accumulators[$0]) }
        let n = entry.slots.map { sums.rows($0) }.max() ?? 0
        return MetricValue(entry.expression.formula.evaluate(values), n: n)
    }
}

extension CustomMetricRegistry: Codable {
    // Compiled expressions are not stored: the definitions are, and replaying them in order gives the
    // same accumulator slots that the bucket sums index.
    init(from decoder: any Decoder) throws {
        let changes = try decoder.singleValueContainer().decode([Change].self)
        self.init()
        for change in changes {
            if let source = change.source {
                define(change.name, try MetricExpression(source))
            } else {
                remove(change.name)
            }
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(history)
    }
}
