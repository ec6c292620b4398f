/// What a column's values are expected to look like (TFDV-style): its type, how often it may be missing,
/// its numeric range or its allowed categories, and the threshold of its drift test.
///
/// ```json
/// {"type": "numeric", "max_missing_fraction": 0.04, "min": 0, "max": 24, "drift": {"statistic": "psi", "threshold": 0.2}}
/// {"type": "categorical", "max_missing_fraction": 0.01, "categories": ["card", "cash"], "max_unseen_fraction": 0}
/// ```
public struct ColumnRule: Sendable, Hashable, Codable {
    public var type: ColumnType
    /// At most this fraction of rows may lack the column; `nil` for no limit.
    public var maxMissingFraction: Double?
    /// Numeric range (inclusive); either bound may be absent.
    public var min: Double?
    public var max: Double?
    /// At most this fraction of values may fall outside `[min, max]`. Default 0.
    public var maxOutOfRangeFraction: Double?
    /// The allowed categories; `nil` for any.
    public var categories: [String]?
    /// At most this fraction of values may be outside `categories`. Default 0.
    public var maxUnseenFraction: Double?
    /// The drift test's statistic and threshold; default PSI ≥ 0.2.
    public var drift: DriftThreshold?

    public init(
        type: ColumnType, maxMissingFraction: Double? = nil, min: Double? = nil, max: Double? = nil,
        maxOutOfRangeFraction: Double? = nil, categories: [String]? = nil, maxUnseenFraction: Double? = nil,
        drift: DriftThreshold? = nil
    ) {
        self.type = type
        self.maxMissingFraction = maxMissingFraction
        self.min = min
        self.max = max
        self.maxOutOfRangeFraction = maxOutOfRangeFraction
        self.categories = categories
        self.maxUnseenFraction = maxUnseenFraction
        self.drift = drift
    }

    enum CodingKeys: String, CodingKey {
        case type, min, max, categories, drift
        case maxMissingFraction = "max_missing_fraction"
        case maxOutOfRangeFraction = "max_out_of_range_fraction"
        case maxUnseenFraction = "max_unseen_fraction"
    }

    /// What is wrong with the rule, if anything, for a 400 that names the column and the field.
    func problems(column: String) -> [String] {
        var out: [String] = []
        for (field, f) in [
            ("max_missing_fraction", maxMissingFraction), ("max_out_of_range_fraction", maxOutOfRangeFraction),
            ("max_unseen_fraction", maxUnseenFraction),
        ] {
            if let f, !(f >= 0 && f <= 1) { out.append("\(column).\(field) must be in [0, 1], got \(f)") }
        }
        for (field, v) in [("min", min), ("max", max)] {
            if let v, !v.isFinite { out.append("\(column).\(field) must be finite") }
        }
        if let a = min, let b = max, a > b { out.append("\(column): min (\(a)) is greater than max (\(b))") }
        if type == .categorical && (min != nil || max != nil) {
            out.append("\(column): a categorical column takes 'categories', not 'min'/'max'")
        }
        if type == .numeric && categories != nil {
            out.append("\(column): a numeric column takes 'min'/'max', not 'categories'")
        }
        if let d = drift {
            if !d.threshold.isFinite || d.threshold < 0 {
                out.append("\(column).drift.threshold must be a finite number ≥ 0")
            }
            if !d.statistic.applies(to: type) {
                out.append(
                    "\(column).drift.statistic '\(d.statistic.rawValue)' does not apply to a \(type.rawValue) column")
            }
            if d.statistic.isPValue && !(d.threshold > 0 && d.threshold < 1) {
                out.append("\(column).drift.threshold of a p-value must be in (0, 1)")
            }
            if d.minSamples < 0 { out.append("\(column).drift.min_samples must be ≥ 0") }
        }
        return out
    }
}
