/// The drift of one column between the reference and the current window.
public struct ColumnDrift: Sendable, Hashable, Codable {
    public enum Verdict: String, Sendable, Hashable, Codable {
        case drift, ok
        /// Fewer current values than the threshold's `min_samples`.
        case insufficientData = "insufficient_data"
        /// The column is in the reference but has no values in the window.
        case missingInCurrent = "missing_in_current"
        /// The column has values in the window but none in the reference.
        case notInReference = "not_in_reference"
    }

    public var column: String
    public var type: ColumnType
    public var verdict: Verdict
    public var threshold: DriftThreshold
    /// The value of the threshold's statistic.
    public var value: Double?
    /// `value` relative to the threshold (> 1 is past it); used to rank columns.
    public var severity: Double?
    /// True when a sketch took over in either sample, so the statistics carry the sketch's error.
    public var approximate: Bool

    public var referenceCount: Int64
    public var currentCount: Int64
    public var referenceMissingFraction: Double?
    public var currentMissingFraction: Double?

    public var psi: Double?
    public var jsDistance: Double?
    public var ksStatistic: Double?
    public var ksPValue: Double?
    public var ksPValueMethod: KolmogorovSmirnovTest.Method?
    public var wasserstein: Double?
    public var chi2Statistic: Double?
    public var chi2Dof: Int?
    public var chi2PValue: Double?
    /// Evidently's two-proportion z-test, for a column of at most two values (``DriftConvention/evidently``).
    public var zPValue: Double?

    /// Numeric: reference decile edges (duplicates removed) and the counts in the right-closed bins they make.
    public var binEdges: [Double]?
    /// Numeric, ``DriftConvention/evidently`` with at most 20 distinct reference values: the values compared
    /// one by one (`reference_bin_counts` and `current_bin_counts` then count each).
    public var binValues: [Double]?
    public var referenceBinCounts: [Int64]?
    public var currentBinCounts: [Int64]?
    public var referenceQuantiles: Quantiles?
    public var currentQuantiles: Quantiles?

    /// Categorical: the sorted union of categories and the counts of each.
    public var categories: [String]?
    public var referenceCounts: [Int64]?
    public var currentCounts: [Int64]?
    /// Categories in the window and absent from the reference, and the reverse.
    public var unseenCategories: [String]?
    public var missingCategories: [String]?

    enum CodingKeys: String, CodingKey {
        case column, type, verdict, threshold, value, severity, approximate
        case referenceCount = "reference_count", currentCount = "current_count"
        case referenceMissingFraction = "reference_missing_fraction"
        case currentMissingFraction = "current_missing_fraction"
        case psi, jsDistance = "js_distance", ksStatistic = "ks_statistic", ksPValue = "ks_pvalue"
        case ksPValueMethod = "ks_pvalue_method", wasserstein, chi2Statistic = "chi2_statistic"
        case chi2Dof = "chi2_dof", chi2PValue = "chi2_pvalue", zPValue = "z_pvalue", binEdges = "bin_edges"
        case binValues = "bin_values"
        case referenceBinCounts = "reference_bin_counts", currentBinCounts = "current_bin_counts"
        case referenceQuantiles = "reference_quantiles", currentQuantiles = "current_quantiles"
        case categories, referenceCounts = "reference_counts", currentCounts = "current_counts"
        case unseenCategories = "unseen_categories", missingCategories = "missing_categories"
    }
}

/// The median, 90th and 99th percentiles (numpy's linear interpolation).
public struct Quantiles: Sendable, Hashable, Codable {
    public var p50: Double
    public var p90: Double
    public var p99: Double

    init?(_ d: EmpiricalDistribution) {
        guard let a = d.quantile(0.5), let b = d.quantile(0.9), let c = d.quantile(0.99) else { return nil }
        (p50, p90, p99) = (a, b, c)
    }
}
