/// Data quality of one column over a window, against its rule.
public struct ColumnQuality: Sendable, Hashable, Codable {
    public var column: String
    /// The expected type: the rule's, or the majority of values seen.
    public var type: ColumnType
    public var rows: Int64
    public var missing: Int64
    public var missingFraction: Double?
    /// Values of the other type (a string in a numeric column, a number in a categorical one).
    public var typeErrors: Int64
    /// Non-finite numbers.
    public var invalid: Int64
    /// Distinct values (a HyperLogLog estimate when `approximate`).
    public var distinct: Double
    public var approximate: Bool
    public var min: Double?
    public var max: Double?
    public var mean: Double?
    public var std: Double?
    public var quantiles: Quantiles?
    /// Numeric values outside the rule's range.
    public var outOfRange: Int64?
    /// Values outside the rule's categories, and the most frequent of them.
    public var unseen: Int64?
    public var unseenExamples: [CategoryCount]?
    public var violations: [RuleViolation]

    enum CodingKeys: String, CodingKey {
        case column, type, rows, missing, missingFraction = "missing_fraction", typeErrors = "type_errors"
        case invalid, distinct, approximate, min, max, mean, std, quantiles, outOfRange = "out_of_range"
        case unseen, unseenExamples = "unseen_examples", violations
    }
}

/// A category and how often it was seen.
public struct CategoryCount: Sendable, Hashable, Codable {
    public var value: String
    public var count: Int64

    public init(value: String, count: Int64) {
        self.value = value
        self.count = count
    }
}

/// A rule a column broke in the window.
public struct RuleViolation: Sendable, Hashable, Codable {
    public enum Rule: String, Sendable, Hashable, Codable {
        case missing, type, invalid, range, categories
    }

    public var rule: Rule
    /// The observed fraction (or count for `type` and `invalid`) and the allowed one.
    public var observed: Double
    public var allowed: Double
    public var message: String
}
