import Foundation

/// The drift statistics between a reference and a current sample (see `docs/drift.md`).
public enum DriftStatistics {
    /// Smoothing added to every bin's proportion before the PSI's logarithm, so empty bins stay finite.
    public static let psiEpsilon = 1e-4

    /// Population stability index over matching bins:
    /// `Σ (qᵢ − pᵢ)·ln(qᵢ/pᵢ)` with `pᵢ = (rᵢ/Σr + ε)/(1 + B·ε)` and `qᵢ` likewise for the current counts.
    public static func psi(reference r: [Int64], current c: [Int64]) -> Double {
        let totalR = Double(r.reduce(0, +))
        let totalC = Double(c.reduce(0, +))
        let b = Double(r.count)
        var sum = 0.0
        for i in r.indices {
            let p = (Double(r[i]) / totalR + psiEpsilon) / (1 + b * psiEpsilon)
            let q = (Double(c[i]) / totalC + psiEpsilon) / (1 + b * psiEpsilon)
            sum += (q - p) * Foundation.log(q / p)
        }
        return sum
    }

    /// Jensen–Shannon distance between the unsmoothed proportions of matching bins, computed as scipy's
    /// `jensenshannon(P, Q, base)` does: in [0, 1] in base 2, in [0, √ln 2] in natural log.
    public static func jensenShannon(reference r: [Int64], current c: [Int64], base: Double) -> Double {
        let totalR = Double(r.reduce(0, +))
        let totalC = Double(c.reduce(0, +))
        var left = 0.0
        var right = 0.0
        for i in r.indices {
            let p = Double(r[i]) / totalR
            let q = Double(c[i]) / totalC
            let m = (p + q) / 2
            if p > 0 { left += p * Foundation.log(p / m) }
            if q > 0 { right += q * Foundation.log(q / m) }
        }
        let js = (left + right) / Foundation.log(base)
        return Foundation.sqrt(Swift.max(0, js / 2))
    }

    /// Kolmogorov–Smirnov statistic `sup |F_ref − F_cur|` as the exact fraction `h/(n·m/g)`, with `h`.
    public static func kolmogorovSmirnov(_ a: EmpiricalDistribution, _ b: EmpiricalDistribution) -> (
        statistic: Double, h: Int64
    ) {
        let n = a.count
        let m = b.count
        let g = gcd(n, m)
        var best: Int64 = 0
        forEachStep(a, b) { _, ca, cb in
            // |ca/n − cb/m| · (n·m/g) = |ca·(m/g) − cb·(n/g)|, an integer.
            best = Swift.max(best, Swift.abs(ca * (m / g) - cb * (n / g)))
        }
        return (Double(best) / Double((n / g) * m), best)
    }

    /// First Wasserstein distance `∫ |F_ref(v) − F_cur(v)| dv` (scipy's `wasserstein_distance`).
    public static func wasserstein(_ a: EmpiricalDistribution, _ b: EmpiricalDistribution) -> Double {
        let n = Double(a.count)
        let m = Double(b.count)
        var sum = 0.0
        var previous: Double?
        var gap = 0.0
        forEachStep(a, b) { v, ca, cb in
            if let p = previous { sum += gap * (v - p) }
            gap = Swift.abs(Double(ca) / n - Double(cb) / m)
            previous = v
        }
        return sum
    }

    /// Walks the distinct values of both samples in ascending order, with each sample's count of values
    /// at or below the current one: the steps of the two empirical CDFs.
    @inline(__always)
    private static func forEachStep(
        _ a: EmpiricalDistribution, _ b: EmpiricalDistribution, _ body: (Double, Int64, Int64) -> Void
    ) {
        var i = 0
        var j = 0
        var ca: Int64 = 0
        var cb: Int64 = 0
        while i < a.values.count || j < b.values.count {
            let v = Swift.min(
                i < a.values.count ? a.values[i] : .infinity, j < b.values.count ? b.values[j] : .infinity)
            while i < a.values.count && a.values[i] == v {
                ca = a.cumulative[i]
                i += 1
            }
            while j < b.values.count && b.values[j] == v {
                cb = b.cumulative[j]
                j += 1
            }
            body(v, ca, cb)
        }
    }

    static func gcd(_ a: Int64, _ b: Int64) -> Int64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
