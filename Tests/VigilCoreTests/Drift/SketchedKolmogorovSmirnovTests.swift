import Foundation
import Testing

@testable import VigilCore

/// KS against a column that outgrew exact counts stays within 0.001 of the exact statistic of the raw values.
struct SketchedKolmogorovSmirnovTests {
    /// Log-normal samples (Box–Muller on a seeded generator), rounded to `decimals` like real measurements.
    static func sample(_ n: Int, mu: Double, sigma: Double, decimals: Double, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        func uniform() -> Double { (Double(rng.next() >> 11) + 0.5) / Double(1 << 53) }
        return (0..<n).map { _ in
            let z = (-2 * Foundation.log(uniform())).squareRoot() * Foundation.cos(2 * Double.pi * uniform())
            return (Foundation.exp(mu + sigma * z) * decimals).rounded() / decimals
        }
    }

    /// `sup |F_a − F_b|` of the raw samples.
    static func exactKS(_ a: [Double], _ b: [Double]) -> Double {
        let (x, y) = (a.sorted(), b.sorted())
        var (i, j, best) = (0, 0, 0.0)
        while i < x.count || j < y.count {
            let v = Swift.min(i < x.count ? x[i] : .infinity, j < y.count ? y[j] : .infinity)
            while i < x.count && x[i] == v { i += 1 }
            while j < y.count && y[j] == v { j += 1 }
            best = Swift.max(best, Swift.abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
        }
        return best
    }

    @Test(arguments: [
        (1.0, 0.8, 1.1, 0.8, 1e4),  // shifted, continuous
        (0.9, 0.7, 1.0, 0.75, 1e2),  // trip distances to the cent
        (2.3, 0.2, 2.33, 0.2, 1e3),  // narrow, around 10: many values per 1 % bin
    ])
    func withinAThousandthOfTheExactStatistic(mu0: Double, s0: Double, mu1: Double, s1: Double, decimals: Double)
        throws
    {
        let reference = Self.sample(20_000, mu: mu0, sigma: s0, decimals: decimals, seed: 1)
        let current = Self.sample(200_000, mu: mu1, sigma: s1, decimals: decimals, seed: 2)
        var r = ColumnProfile()
        for v in reference { r.add(.number(v), limits: .reference) }
        var c = ColumnProfile()
        for v in current { c.add(.number(v), limits: ProfileLimits()) }
        #expect(r.numeric.isExact && !c.numeric.isExact)
        let drift = ColumnDriftAnalysis(
            name: "x", reference: r, referenceRows: Int64(reference.count), current: c,
            currentRows: Int64(current.count)
        ).result()
        let exact = Self.exactKS(reference, current)
        let ks = try #require(drift.ksStatistic)
        #expect(Swift.abs(ks - exact) <= 0.001, "KS \(ks) against exact \(exact)")
        #expect(drift.approximate)
    }
}
