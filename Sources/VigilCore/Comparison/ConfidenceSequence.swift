import Foundation

/// An always-valid 95 % interval: one that may be looked at after every new label, as people watch a canary,
/// and still holds at every look with probability 95 % — where a fixed-sample interval, checked again and
/// again, eventually excludes zero by chance (see `ComparisonTests`' peeking simulation).
///
/// The asymptotic confidence sequence of Waudby-Smith, Arnold, Wu, Wang and Ramdas (2023, "Time-uniform
/// central limit theory and asymptotic confidence sequences", Theorem 2.2), for a difference whose estimator
/// has variance `V` after `t` labels in all:
///
///     estimate ± √V · √( 2(tρ² + 1)/(tρ²) · log(√(tρ² + 1)/α) )
///
/// with `ρ² = (−2 log α + log(−2 log α + 1)) / t*`, which makes the sequence tightest at `t*` labels (fixed in
/// advance, not chosen from the data). It is 1.55 × as wide as the fixed interval at `t*` and wider elsewhere:
/// the price of looking at will.
public struct ConfidenceSequence: Sendable, Hashable {
    public var alpha: Double
    /// Where the sequence is tightest, in labels (both versions together).
    public var tunedFor: Int64

    public init(alpha: Double = 0.05, tunedFor: Int64 = 10_000) {
        self.alpha = alpha
        self.tunedFor = tunedFor
    }

    var rhoSquared: Double {
        let l = -2 * log(alpha)
        return (l + log(l + 1)) / Double(tunedFor)
    }

    /// The half-width after `t` labels for an estimator of variance `variance`.
    public func radius(variance: Double, t: Int64) -> Double {
        guard t > 0, variance > 0 else { return variance > 0 ? .infinity : 0 }
        let tr = Double(t) * rhoSquared
        return variance.squareRoot() * (2 * (tr + 1) / tr * log((tr + 1).squareRoot() / alpha)).squareRoot()
    }

    /// The sequential interval around a difference measured on `t` labels: the fixed interval's two arms, each
    /// widened by the ratio of the sequence's radius to the fixed one's (`radius / (1.96·√V)`). For the
    /// symmetric normal intervals this is exactly `estimate ± radius`; for Newcombe's interval it keeps the
    /// asymmetry near 0 and 1, where the normal variance `p(1−p)/n` understates the uncertainty.
    public func interval(_ d: DifferenceInterval, t: Int64) -> (lower: Double, upper: Double) {
        let fixed = Normal.z95 * d.variance.squareRoot()
        guard fixed > 0 else { return (d.lower, d.upper) }
        let widen = radius(variance: d.variance, t: t) / fixed
        return (d.estimate - (d.estimate - d.lower) * widen, d.estimate + (d.upper - d.estimate) * widen)
    }
}
