/// A metric's value with the sample it stands on, and a 95 % interval for proportions.
public struct MetricValue: Sendable, Hashable, Codable {
    /// `nil` when undefined (no labeled rows, a zero denominator, one class only for AUC).
    public var value: Double?
    /// The sample size: the rows in the metric's denominator.
    public var n: Int64
    /// 95 % Wilson score interval, for proportions only.
    public var lower: Double?
    public var upper: Double?
    /// Why there is no value (`no positive predictions in range`), when there is none.
    public var reason: String?

    public init(_ value: Double?, n: Int64, lower: Double? = nil, upper: Double? = nil, reason: String? = nil) {
        self.value = value
        self.n = n
        self.lower = lower
        self.upper = upper
        self.reason = reason
    }

    /// A proportion `successes / n` with its Wilson interval; `nil` value when `n = 0`.
    public static func proportion(_ successes: Int64, of n: Int64) -> MetricValue {
        guard n > 0 else { return MetricValue(nil, n: 0) }
        let (lo, hi) = WilsonInterval.bounds(successes: Double(successes), n: Double(n))
        return MetricValue(Double(successes) / Double(n), n: n, lower: lo, upper: hi)
    }
}

/// The Wilson score interval for a binomial proportion.
public enum WilsonInterval {
    /// z for a two-sided 95 % interval: Φ⁻¹(0.975).
    public static let z95 = 1.959963984540054

    /// `(center ∓ half)` with center `(p + z²/2n)/(1 + z²/n)` and half-width
    /// `z/(1 + z²/n)·√(p(1 − p)/n + z²/4n²)`.
    public static func bounds(successes: Double, n: Double, z: Double = z95) -> (Double, Double) {
        let p = successes / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let center = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return (max(0, center - half), min(1, center + half))
    }
}
