/// A sample's distinct values in ascending order with their counts and running totals: the empirical CDF
/// that drift statistics and quantiles are read from.
public struct EmpiricalDistribution: Sendable, Hashable {
    public let values: [Double]
    public let counts: [Int64]
    /// `cumulative[i]` = number of values ≤ `values[i]`.
    let cumulative: [Int64]
    /// Whether the values are exact (not a sketch's bin representatives).
    public let isExact: Bool

    public init(values: [Double], counts: [Int64], isExact: Bool = true) {
        self.values = values
        self.counts = counts
        self.isExact = isExact
        var running: Int64 = 0
        cumulative = counts.map {
            running += $0
            return running
        }
    }

    public init(_ profile: NumericProfile) {
        let d = profile.distribution
        self.init(values: d.values, counts: d.counts, isExact: profile.isExact)
    }

    /// Number of values.
    public var count: Int64 { cumulative.last ?? 0 }

    /// This distribution with every value moved to its quantile-sketch bin (as a sketched column holds its
    /// values), so that it can be compared bin by bin with a sketched one.
    func binnedLikeSketch() -> EmpiricalDistribution {
        guard isExact else { return self }
        var sketch = QuantileSketch()
        for (v, n) in zip(values, counts) { sketch.add(v, n) }
        let binned = sketch.sorted()
        return EmpiricalDistribution(values: binned.values, counts: binned.counts, isExact: false)
    }

    /// Number of values `≤ v`.
    public func countAtOrBelow(_ v: Double) -> Int64 { count { $0 <= v } }

    /// Number of values equal to `v`.
    func count(of v: Double) -> Int64 { countAtOrBelow(v) - countBelow(v) }

    /// Number of values `< v`.
    public func countBelow(_ v: Double) -> Int64 { count { $0 < v } }

    /// Number of values satisfying `isBelow`, a predicate true for a prefix of the sorted values.
    @inline(__always)
    private func count(_ isBelow: (Double) -> Bool) -> Int64 {
        var lo = 0
        var hi = values.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isBelow(values[mid]) { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? 0 : cumulative[lo - 1]
    }

    /// The value of 0-based rank `k` in the sorted sample.
    func value(atRank k: Int64) -> Double {
        var lo = 0
        var hi = values.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > k { hi = mid } else { lo = mid + 1 }
        }
        return values[lo]
    }

    /// The `q`-quantile with linear interpolation between order statistics, exactly as numpy's
    /// default (`method='linear'`): `h = (n − 1)·q`, between `x⌊h⌋` and the next value.
    public func quantile(_ q: Double) -> Double? {
        let n = count
        guard n > 0 else { return nil }
        let h = Double(n - 1) * q
        let i = Int64(h.rounded(.down))
        let t = h - Double(i)
        let a = value(atRank: i)
        let b = i + 1 < n ? value(atRank: i + 1) : a
        let diff = b - a
        // numpy's _lerp: interpolate from the nearer end.
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
    }
}
