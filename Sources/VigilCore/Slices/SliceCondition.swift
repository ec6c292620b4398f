/// One term of a slice: a category of a column, its missing values, or a numeric bin `lower ≤ x < upper`.
public struct SliceCondition: Sendable, Hashable, Codable, CustomStringConvertible {
    public var column: String
    /// The category; `(other)` for the categories past the per-column limit.
    public var value: String?
    public var missing: Bool
    /// A numeric bin's bounds (`nil` for an open end).
    public var lower: Double?
    public var upper: Double?

    public init(column: String, value: String? = nil, missing: Bool = false, lower: Double? = nil, upper: Double? = nil)
    {
        self.column = column
        self.value = value
        self.missing = missing
        self.lower = lower
        self.upper = upper
    }

    /// `payment_type = cash`, `trip_distance in [1.2, 3.4)`, `fare < 7.5`, `passenger_count is missing`.
    public var description: String {
        if missing { return "\(column) is missing" }
        if let value { return "\(column) = \(value)" }
        switch (lower, upper) {
        case let (a?, b?): return "\(column) in [\(Self.format(a)), \(Self.format(b)))"
        case let (a?, nil): return "\(column) ≥ \(Self.format(a))"
        case let (nil, b?): return "\(column) < \(Self.format(b))"
        case (nil, nil): return "\(column) is any number"
        }
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }
}
