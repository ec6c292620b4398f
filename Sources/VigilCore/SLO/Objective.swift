/// What an SLI must stay at: `>= 0.9` (at least) or `<= 0.2` (at most).
///
/// ```swift
/// let o = try Objective(parsing: ">= 0.9")
/// o.isMet(by: 0.93)  // true
/// ```
public struct Objective: Sendable, Hashable, StringRepresented {
    public enum Comparison: String, Sendable, Hashable, Codable {
        case atLeast = ">="
        case atMost = "<="
    }

    public var comparison: Comparison
    public var target: Double

    public init(_ comparison: Comparison, _ target: Double) {
        self.comparison = comparison
        self.target = target
    }

    /// Parses `>= 0.9`, `<=0.2` or `≥ 0.9`.
    public init(parsing text: String) throws(SLOError) {
        let trimmed = text.trimmingWhitespace
        let operators: [(String, Comparison)] = [(">=", .atLeast), ("≥", .atLeast), ("<=", .atMost), ("≤", .atMost)]
        guard let (symbol, comparison) = operators.first(where: { trimmed.hasPrefix($0.0) }),
            let target = Double(String(trimmed.dropFirst(symbol.count)).trimmingWhitespace), target.isFinite
        else {
            throw SLOError(
                .invalidObjective, field: "objective",
                "objective '\(text)' is not a comparison and a number, such as '>= 0.9' or '<= 0.2'")
        }
        self.init(comparison, target)
    }

    public func isMet(by value: Double) -> Bool {
        comparison == .atLeast ? value >= target : value <= target
    }

    public var description: String { "\(comparison.rawValue) \(target)" }
}

extension String {
    var trimmingWhitespace: String {
        String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
