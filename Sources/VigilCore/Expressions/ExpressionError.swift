/// A metric expression that cannot be parsed or compiled, with the column (1-based) of the problem.
///
/// ```
/// sum(prediction == 1 and) / count()
///                         ^ column 25: expected a value, found ')'
/// ```
public struct ExpressionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// 1-based column in the expression text.
    public var column: Int
    public var source: String

    public init(_ message: String, column: Int, source: String) {
        self.message = message
        self.column = column
        self.source = source
    }

    public var description: String {
        "column \(column): \(message)\n  \(source)\n  \(String(repeating: " ", count: max(0, column - 1)))^"
    }
}
