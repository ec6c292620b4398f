import Foundation

/// Evidently 0.7's drift statistics (`evidently.legacy.calculations.stattests`), computed from exact value
/// counts as Evidently computes them from raw values, so that they agree to rounding.
enum EvidentlyStatistics {
    /// A numeric column is binned (rather than compared value by value) when its reference has more than
    /// this many distinct values.
    static let binnedAbove = 20

    /// numpy's `histogram_bin_edges(combined, bins="sturges")` for a sample of `n` values spanning
    /// `[low, high]`: `⌈ptp / (ptp / (log₂ n + 1))⌉` equal-width bins, edges as `linspace` makes them.
    static func sturgesEdges(low: Double, high: Double, n: Int64) -> [Double] {
        var (first, last) = (low, high)
        var bins = 1
        if first == last {
            (first, last) = (first - 0.5, last + 0.5)
        } else {
            let width = (high - low) / (Foundation.log2(Double(n)) + 1)
            bins = Int(((last - first) / width).rounded(.up))
        }
        let step = (last - first) / Double(bins)
        var edges = (0...bins).map { Double($0) * step + first }
        edges[bins] = last
        return edges
    }

    /// numpy's `histogram(sample, edges)` counts: bins are `[eᵢ, eᵢ₊₁)`, the last one closed.
    static func histogram(_ x: EmpiricalDistribution, edges: [Double]) -> [Int64] {
        let last = edges.count - 1
        let below = edges.map { x.countBelow($0) }
        return (0..<last).map { i in
            (i == last - 1 ? x.countAtOrBelow(edges[last]) : below[i + 1]) - below[i]
        }
    }

    /// Each count's share of its sample, with Evidently's floor for empty bins: the smallest non-zero share
    /// divided by 10⁶ if that share is at most 10⁻⁴, else 10⁻⁴.
    static func flooredShares(_ counts: [Int64]) -> [Double] {
        let total = Double(counts.reduce(0, +))
        let shares = counts.map { Double($0) / total }
        guard let smallest = shares.filter({ $0 > 0 }).min() else { return shares }
        let floor = smallest <= 1e-4 ? smallest / 1e6 : 1e-4
        return shares.map { $0 == 0 ? floor : $0 }
    }

    /// `Σ (rᵢ − cᵢ)·ln(rᵢ/cᵢ)` over the floored shares.
    static func psi(reference r: [Int64], current c: [Int64]) -> Double {
        zip(flooredShares(r), flooredShares(c)).reduce(0) { $0 + ($1.0 - $1.1) * Foundation.log($1.0 / $1.1) }
    }

    /// scipy's `jensenshannon(P, Q)` in natural log (Evidently's default base), on unfloored shares.
    static func jensenShannon(reference r: [Int64], current c: [Int64]) -> Double {
        DriftStatistics.jensenShannon(reference: r, current: c, base: M_E)
    }

    /// scipy's `wasserstein_distance` over the reference's population standard deviation (numpy's `std`),
    /// the latter floored at 0.001.
    static func normalizedWasserstein(_ r: EmpiricalDistribution, _ c: EmpiricalDistribution) -> Double {
        DriftStatistics.wasserstein(r, c) / Swift.max(standardDeviation(r), 0.001)
    }

    /// numpy's two-pass `std`: the mean first, then the mean squared deviation from it.
    static func standardDeviation(_ x: EmpiricalDistribution) -> Double {
        let n = Double(x.count)
        let mean = zip(x.values, x.counts).reduce(0) { $0 + $1.0 * Double($1.1) } / n
        let squares = zip(x.values, x.counts).reduce(0) { $0 + ($1.0 - mean) * ($1.0 - mean) * Double($1.1) }
        return (squares / n).squareRoot()
    }

    /// scipy's `chisquare(f_obs=current, f_exp=reference·(m/n))`: goodness of fit of the current counts to
    /// the reference's proportions, with `K − 1` degrees of freedom. A category the reference never saw has an
    /// expected count of 0, so the statistic is infinite and the p-value 0.
    static func chiSquareGoodnessOfFit(reference r: [Int64], current c: [Int64]) -> (
        statistic: Double, dof: Int, pValue: Double
    ) {
        let scale = Double(c.reduce(0, +)) / Double(r.reduce(0, +))
        var statistic = 0.0
        for (expectedCount, observed) in zip(r, c) {
            let expected = Double(expectedCount) * scale
            let diff = Double(observed) - expected
            statistic += diff * diff / expected
        }
        let dof = r.count - 1
        guard statistic.isFinite else { return (statistic, dof, 0) }
        return (statistic, dof, dof > 0 ? ChiSquareTest.survival(statistic, dof: dof) : 1)
    }

    /// Evidently's two-proportion z-test (pooled, two-sided) of the share of values other than the first
    /// (sorted) one, for a column with at most two values; 1 when both samples hold the same single value.
    static func zTest(reference r: [Int64], current c: [Int64]) -> Double {
        let nonzeroR = r.indices.filter { r[$0] > 0 }
        if nonzeroR.count == 1, c.indices.filter({ c[$0] > 0 }) == nonzeroR { return 1 }
        let n1 = Double(r.reduce(0, +))
        let n2 = Double(c.reduce(0, +))
        let p1 = Double(r.dropFirst().reduce(0, +)) / n1
        let p2 = Double(c.dropFirst().reduce(0, +)) / n2
        let pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        let z = (p1 - p2) / (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        return Normal.twoSidedP(z)
    }
}
