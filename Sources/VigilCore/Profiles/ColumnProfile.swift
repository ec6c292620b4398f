/// Everything a bucket knows about one column (a feature or a model output): how many values were
/// numbers, strings or invalid, and the distribution of each kind. Mergeable across buckets.
///
/// Missing values are not stored: a column's missing count is its profile's row count minus the values
/// present, so a row that omits the column, or sends `null`, counts as missing without any work.
/// Whether a string in a numeric column is a *type error* is decided at query time against the expected
/// type (from the validation rules, or the column's majority kind), so profiles do not depend on the
/// order in which values arrived.
public struct ColumnProfile: Sendable, Hashable, Codable {
    public internal(set) var numeric = NumericProfile()
    public internal(set) var categorical = CategoricalProfile()
    /// Numbers that are not finite (NaN, ±infinity): always invalid.
    public internal(set) var invalid: Int64 = 0

    public init() {}

    /// Values present (numbers, strings and invalid ones).
    public var present: Int64 { numeric.count + categorical.count + invalid }

    /// The kind most values had: numeric unless strings outnumber numbers.
    public var majorityType: ColumnType { categorical.count > numeric.count ? .categorical : .numeric }

    @inline(__always)
    mutating func add(_ value: FeatureValue, limits: ProfileLimits) {
        switch value {
        case .number(let v):
            if v.isFinite { numeric.add(v, limits: limits) } else { invalid += 1 }
        case .string(let s): categorical.add(s, limits: limits)
        case .null: break
        }
    }

    mutating func merge(_ o: ColumnProfile, limits: ProfileLimits) {
        numeric.merge(o.numeric, limits: limits)
        categorical.merge(o.categorical, limits: limits)
        invalid += o.invalid
    }

    /// Approximate bytes held, for memory reports.
    public var footprint: Int {
        MemoryLayout<ColumnProfile>.stride + numeric.allocatedBytes + categorical.allocatedBytes
    }
}

/// The type a column's values are expected to have.
public enum ColumnType: String, Sendable, Hashable, Codable, CaseIterable {
    case numeric, categorical
}
