/// The parsed form of a metric expression, before it is split into row expressions and aggregates.
indirect enum SyntaxNode: Hashable, Sendable {
    case number(Double, column: Int)
    case string(String, column: Int)
    case null(column: Int)
    /// A dotted name: `label`, `features.trip_distance`, `score.short`.
    case name([String], column: Int)
    case unary(String, SyntaxNode, column: Int)
    case binary(String, SyntaxNode, SyntaxNode, column: Int)
    case call(String, [SyntaxNode], column: Int)

    var column: Int {
        switch self {
        case .number(_, let c), .string(_, let c), .null(let c), .name(_, let c), .unary(_, _, let c),
            .binary(_, _, _, let c), .call(_, _, let c):
            return c
        }
    }
}
