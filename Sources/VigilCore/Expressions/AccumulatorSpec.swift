/// One aggregate call of a metric (`sum(prediction == 1)`), kept incrementally in every bucket.
struct AccumulatorSpec: Hashable, Sendable {
    enum Kind: String, Hashable, Sendable {
        case sum, count, mean, min, max
    }

    var kind: Kind
    /// `nil` for `count()`.
    var row: RowExpression?
    /// Aggregates of a metric that reads `label` see labeled rows only, like the built-in quality metrics.
    var labeledOnly: Bool

    /// Whether a label arriving or changing can change this accumulator's value.
    var dependsOnLabel: Bool {
        labeledOnly || (row?.variables.contains { $0.dependsOnLabel } ?? false)
    }

    /// Whether the value of the row expression is needed (not just the row count).
    var needsRowValue: Bool { row != nil }

    /// The row's contribution: `nil` when the row is out of scope or the value is null.
    func contribution(_ context: RowContext) -> Double? {
        if labeledOnly && context.label == .null { return nil }
        guard let row else { return 1 }
        guard case .number(let v) = row.evaluate(context), !v.isNaN else { return nil }
        return v
    }
}
