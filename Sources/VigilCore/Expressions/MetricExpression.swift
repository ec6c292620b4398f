/// A compiled metric: aggregate calls over rows, combined by a formula.
///
/// ```swift
/// let m = try MetricExpression("sum(prediction == 1 and label == 1) / sum(label == 1)")
/// m.accumulators.count  // 2, both over labeled rows
/// ```
///
/// Row expressions may read `score`, `score.CLASS`, `label_score`, `prediction`, `label`,
/// `labeled`, `features.NAME`, `segment.KEY` and `version`, with `and or not == != < <= > >=
/// + - * /` and `abs log exp sqrt clip`. Aggregates are `sum(e)`, `count()`, `count(e)` (rows where
/// `e` is not null), `mean(e)`, `min(e)` and `max(e)`; nulls are skipped. A metric that reads
/// `label` aggregates over labeled rows only; otherwise over all predictions.
public struct MetricExpression: Hashable, Sendable {
    public let source: String
    let accumulators: [AccumulatorSpec]
    let formula: Formula

    static let aggregateFunctions: Set<String> = ["sum", "count", "mean", "avg", "min", "max"]

    public init(_ source: String) throws(ExpressionError) {
        self.source = source
        let tree = try Parser.parse(source)
        let labeledOnly = Self.readsLabel(tree)
        var compiler = Compiler(source: source, labeledOnly: labeledOnly)
        formula = try compiler.formula(tree)
        guard !compiler.accumulators.isEmpty else {
            throw ExpressionError(
                "a metric needs at least one aggregate such as sum(...), mean(...) or count()", column: 1,
                source: source)
        }
        accumulators = compiler.accumulators
    }

    /// Whether the metric is computed over labeled rows only.
    public var labeledOnly: Bool { accumulators.first?.labeledOnly ?? false }

    private static func readsLabel(_ node: SyntaxNode) -> Bool {
        switch node {
        case .name(let parts, _): return RowVariable.resolve(parts)?.requiresLabel ?? false
        case .unary(_, let e, _): return readsLabel(e)
        case .binary(_, let a, let b, _): return readsLabel(a) || readsLabel(b)
        case .call(_, let args, _): return args.contains(where: readsLabel)
        default: return false
        }
    }

    /// Turns a syntax tree into a formula over accumulators (outside aggregates) and row expressions (inside).
    private struct Compiler {
        let source: String
        let labeledOnly: Bool
        var accumulators: [AccumulatorSpec] = []

        func error(_ message: String, _ column: Int) -> ExpressionError {
            ExpressionError(message, column: column, source: source)
        }

        mutating func formula(_ node: SyntaxNode) throws(ExpressionError) -> Formula {
            switch node {
            case .number(let v, _): return .constant(v)
            case .string(_, let c): throw error("a string can only be used inside an aggregate such as sum(...)", c)
            case .null(let c): throw error("null can only be used inside an aggregate such as sum(...)", c)
            case .name(let parts, let c):
                let name = parts.joined(separator: ".")
                if RowVariable.resolve(parts) != nil {
                    throw error("'\(name)' is a per-row value: aggregate it, e.g. mean(\(name))", c)
                }
                throw error("unknown name '\(name)'", c)
            case .unary(let op, let e, let c):
                guard op == "-" else { throw error("'not' applies to row values: use it inside an aggregate", c) }
                return .negate(try formula(e))
            case .binary(let op, let a, let b, _):
                return .binary(op, try formula(a), try formula(b))
            case .call(let name, let args, let c):
                if Self.isAggregate(name) { return .accumulator(try accumulator(name, args, c)) }
                try checkFunction(name, args.count, c)
                var compiled: [Formula] = []
                for a in args { compiled.append(try formula(a)) }
                return .function(name, compiled)
            }
        }

        static func isAggregate(_ name: String) -> Bool { aggregateFunctions.contains(name) }

        func checkFunction(_ name: String, _ count: Int, _ column: Int) throws(ExpressionError) {
            guard let arity = RowExpression.functions[name] else {
                let known = (aggregateFunctions.subtracting(["avg"]).sorted() + RowExpression.functions.keys.sorted())
                throw error("unknown function '\(name)'; known: \(known.joined(separator: ", "))", column)
            }
            guard arity.contains(count) else {
                throw error(
                    "\(name) takes \(arity.lowerBound) argument\(arity.lowerBound == 1 ? "" : "s"), got \(count)",
                    column)
            }
        }

        mutating func accumulator(_ name: String, _ args: [SyntaxNode], _ column: Int) throws(ExpressionError) -> Int {
            let kind: AccumulatorSpec.Kind =
                switch name {
                case "sum": .sum
                case "count": .count
                case "min": .min
                case "max": .max
                default: .mean
                }
            let row: RowExpression?
            switch (kind, args.count) {
            case (.count, 0): row = nil
            case (_, 1): row = try rowExpression(args[0])
            default:
                throw error(
                    kind == .count ? "count takes zero or one argument" : "\(name) takes one argument", column)
            }
            let spec = AccumulatorSpec(kind: kind, row: row, labeledOnly: labeledOnly)
            if let existing = accumulators.firstIndex(of: spec) { return existing }
            accumulators.append(spec)
            return accumulators.count - 1
        }

        func rowExpression(_ node: SyntaxNode) throws(ExpressionError) -> RowExpression {
            switch node {
            case .number(let v, _): return .constant(.number(v))
            case .string(let s, _): return .constant(.text(s))
            case .null: return .constant(.null)
            case .name(let parts, let c):
                guard let v = RowVariable.resolve(parts) else {
                    throw error(
                        "unknown name '\(parts.joined(separator: "."))'; known: score, score.CLASS, label_score, prediction, label, labeled, features.NAME, segment.KEY, version",
                        c)
                }
                return .variable(v)
            case .unary(let op, let e, _): return .unary(op, try rowExpression(e))
            case .binary(let op, let a, let b, _): return .binary(op, try rowExpression(a), try rowExpression(b))
            case .call(let name, let args, let c):
                if Self.isAggregate(name) {
                    throw error("aggregates cannot be nested: \(name)(...) inside another aggregate", c)
                }
                try checkFunction(name, args.count, c)
                var compiled: [RowExpression] = []
                for a in args { compiled.append(try rowExpression(a)) }
                return .function(name, compiled)
            }
        }
    }
}
