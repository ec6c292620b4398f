import Foundation

/// Which statistic decides a column's drift verdict, and where.
///
/// Distances (`psi`, `js_distance`, `wasserstein`, `ks_statistic`) flag drift at or above the threshold;
/// p-values (`ks_pvalue`, `chi2_pvalue`, `z_pvalue`) below it.
///
/// ```json
/// {"statistic": "psi", "threshold": 0.2, "min_samples": 30}
/// ```
public struct DriftThreshold: Sendable, Hashable, Codable {
    public enum Statistic: String, Sendable, Hashable, Codable, CaseIterable {
        case psi
        case jsDistance = "js_distance"
        case wasserstein
        case ksStatistic = "ks_statistic"
        case ksPValue = "ks_pvalue"
        case chi2PValue = "chi2_pvalue"
        /// Evidently's two-proportion z-test; only under ``DriftConvention/evidently``.
        case zPValue = "z_pvalue"

        public var isPValue: Bool { self == .ksPValue || self == .chi2PValue || self == .zPValue }

        /// Statistics defined for a column type (KS and Wasserstein need an order; chi-square categories).
        public func applies(to type: ColumnType) -> Bool {
            switch self {
            case .psi, .jsDistance: return true
            case .wasserstein, .ksStatistic, .ksPValue: return type == .numeric
            case .chi2PValue, .zPValue: return type == .categorical
            }
        }
    }

    public var statistic: Statistic
    public var threshold: Double
    /// Below this many current values the verdict is `insufficient_data`.
    public var minSamples: Int64

    public init(statistic: Statistic = .psi, threshold: Double = 0.2, minSamples: Int64 = 30) {
        self.statistic = statistic
        self.threshold = threshold
        self.minSamples = minSamples
    }

    /// PSI ≥ 0.2, the industry convention for a significant shift (0.1–0.2 is "moderate"), for both types.
    public static let `default` = DriftThreshold()

    enum CodingKeys: String, CodingKey {
        case statistic, threshold
        case minSamples = "min_samples"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        statistic = try c.decodeIfPresent(Statistic.self, forKey: .statistic) ?? .psi
        threshold = try c.decodeIfPresent(Double.self, forKey: .threshold) ?? (statistic.isPValue ? 0.05 : 0.2)
        minSamples = try c.decodeIfPresent(Int64.self, forKey: .minSamples) ?? 30
    }

    /// Whether `value` crosses the threshold.
    func drifted(_ value: Double) -> Bool { statistic.isPValue ? value < threshold : value >= threshold }

    /// How far past (> 1) or short of (< 1) the threshold `value` is, for ranking columns.
    func severity(_ value: Double) -> Double {
        guard statistic.isPValue else { return threshold > 0 ? value / threshold : value }
        let p = Swift.max(value, 1e-300)
        return Foundation.log(p) / Foundation.log(threshold)
    }
}
