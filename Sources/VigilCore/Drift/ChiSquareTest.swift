import Foundation

/// Pearson's chi-square test of independence on the 2×K table [reference counts; current counts], as
/// scipy's `chi2_contingency` (with Yates' continuity correction when there is one degree of freedom).
public enum ChiSquareTest {
    public static func test(reference r: [Int64], current c: [Int64]) -> (statistic: Double, dof: Int, pValue: Double) {
        let k = r.count
        let dof = k - 1
        guard dof > 0 else { return (0, 0, 1) }
        let rowR = Double(r.reduce(0, +))
        let rowC = Double(c.reduce(0, +))
        let total = rowR + rowC
        var statistic = 0.0
        for j in 0..<k {
            let column = Double(r[j] + c[j])
            for (observed, row) in [(Double(r[j]), rowR), (Double(c[j]), rowC)] {
                let expected = row * column / total
                var o = observed
                if dof == 1 {
                    let diff = expected - o
                    o += Swift.min(0.5, Swift.abs(diff)) * (diff > 0 ? 1 : diff < 0 ? -1 : 0)
                }
                statistic += (o - expected) * (o - expected) / expected
            }
        }
        return (statistic, dof, survival(statistic, dof: dof))
    }

    /// The chi-square survival function: the regularized upper incomplete gamma `Q(dof/2, x/2)`.
    public static func survival(_ x: Double, dof: Int) -> Double {
        guard x > 0 else { return 1 }
        return upperRegularizedGamma(Double(dof) / 2, x / 2)
    }

    /// `Q(a, x)`: a series for `P` when `x < a + 1`, otherwise a Lentz continued fraction for `Q`,
    /// which keeps full relative precision deep in the tail.
    static func upperRegularizedGamma(_ a: Double, _ x: Double) -> Double {
        let logPrefix = -x + a * Foundation.log(x) - Foundation.lgamma(a)
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var ap = a
            for _ in 0..<10_000 {
                ap += 1
                term *= x / ap
                sum += term
                if Swift.abs(term) < Swift.abs(sum) * 1e-17 { break }
            }
            return Swift.max(0, 1 - sum * Foundation.exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if Swift.abs(d) < tiny { d = tiny }
            c = b + an / c
            if Swift.abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if Swift.abs(delta - 1) < 1e-16 { break }
        }
        return Foundation.exp(logPrefix) * h
    }
}
