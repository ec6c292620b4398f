import Foundation

/// P-values of the two-sided two-sample Kolmogorov–Smirnov test.
///
/// As scipy's `ks_2samp(method='auto')`: the exact distribution when both samples have at most 10,000
/// values (Hodges' lattice-path recursion in the numerically stable 1 − p form of Viehmann, 2021),
/// otherwise the asymptotic Kolmogorov distribution `Q(λ) = 2 Σ (−1)^{k−1} e^{−2k²λ²}`,
/// `λ = D·√(nm/(n+m))`. (scipy's asymptotic branch uses the finite-n one-sample distribution at
/// `round(nm/(n+m))` instead; the two agree to about 1% around p = 0.05 and drift apart in the far tail.)
public enum KolmogorovSmirnovTest {
    public enum Method: String, Sendable, Codable {
        case exact, asymptotic
    }

    /// The exact method is used up to this many values per sample, as in scipy.
    public static let maxExactSize: Int64 = 10_000
    /// ... and while the recursion visits at most this many lattice cells (bounds query time).
    public static let maxExactCells = 40_000_000

    public static func pValue(statistic d: Double, h: Int64, n: Int64, m: Int64) -> (Double, Method) {
        guard h > 0 else { return (1, .exact) }
        let g = DriftStatistics.gcd(n, m)
        if Swift.max(n, m) <= maxExactSize {
            let (big, small) = n >= m ? (n, m) : (m, n)
            let window = Swift.min(small + 1, 2 * (h / (big / g)) + 2)
            if n == m || big * window <= maxExactCells {
                let p =
                    n == m
                    ? probabilityOutsideSquare(Int(n), Int(h)) : outerProbabilityInside(Int(n), Int(m), Int(g), Int(h))
                if p.isFinite && p >= 0 && p <= 1 { return (p, .exact) }
            }
        }
        let en = Double(n) * Double(m) / Double(n + m)
        return (kolmogorovSurvival(d * Foundation.sqrt(en)), .asymptotic)
    }

    /// `P(D_{n,n} ≥ h/n)` by the alternating binomial sum, evaluated Horner-style to avoid cancellation.
    static func probabilityOutsideSquare(_ n: Int, _ h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var p1 = 1.0
            for j in 0..<h {
                p1 = Double(n - k * h - j) * p1 / Double(n + k * h + j + 1)
            }
            p = p1 * (1 - p)
            k -= 1
        }
        return 2 * p
    }

    /// The proportion of lattice paths from (0, 0) to (m, n) that leave the band `|x/m − y/n| < h/lcm`,
    /// computed column by column over a sliding window of the band.
    static func outerProbabilityInside(_ m0: Int, _ n0: Int, _ g: Int, _ h: Int) -> Double {
        let (m, n) = m0 >= n0 ? (m0, n0) : (n0, m0)
        let mg = m / g
        let ng = n / g
        var minj = 0
        var maxj = Swift.min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var curlen = maxj - minj
        let lenA = Swift.min(2 * maxj + 2, n + 1)
        var a = [Double](repeating: 1, count: lenA)
        for j in minj..<maxj { a[j] = 0 }
        for i in 1...m {
            let lastminj = minj
            let lastlen = curlen
            minj = Swift.max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0)
            minj = Swift.min(minj, n)
            maxj = Swift.min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxj <= minj { return 1 }
            var val = minj == 0 ? 0.0 : 1.0
            let di = Double(i)
            for jj in 0..<(maxj - minj) {
                let j = jj + minj
                val = (a[jj + minj - lastminj] * di + val * Double(j)) / (di + Double(j))
                a[jj] = val
            }
            curlen = maxj - minj
            if lastlen > curlen {
                for k in (maxj - minj)..<Swift.min(maxj - minj + (lastlen - curlen), lenA) { a[k] = 1 }
            }
        }
        return a[maxj - minj - 1]
    }

    /// The Kolmogorov distribution's survival function `P(K > λ)` (scipy's `kstwobign.sf`).
    public static func kolmogorovSurvival(_ lambda: Double) -> Double {
        guard lambda > 0 else { return 1 }
        if lambda < 1 {
            // The Jacobi-theta form converges fast for small λ: CDF = √(2π)/λ Σ e^{−(2k−1)²π²/(8λ²)}.
            var sum = 0.0
            for k in 1...20 {
                let t = Double(2 * k - 1) * Double.pi / lambda
                sum += Foundation.exp(-t * t / 8)
            }
            return 1 - Foundation.sqrt(2 * Double.pi) / lambda * sum
        }
        var sum = 0.0
        for k in 1...100 {
            let term = Foundation.exp(-2 * Double(k * k) * lambda * lambda)
            sum += k % 2 == 1 ? term : -term
            if term < 1e-300 || term < sum * 1e-17 { break }
        }
        return Swift.min(1, Swift.max(0, 2 * sum))
    }
}
