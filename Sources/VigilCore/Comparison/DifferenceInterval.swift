import Foundation

/// The difference `candidate − baseline` of one metric between two independent samples, with a 95 % interval,
/// a two-sided p-value for "no difference", and the estimator's variance (for the sequential interval).
///
/// ```swift
/// // accuracy 0.82 on 1,000 labels (candidate) against 0.85 on 9,000 (baseline)
/// let d = DifferenceInterval.proportions(candidate: (820, 1000), baseline: (7650, 9000))
/// d.estimate   // -0.03
/// d.lower      // Newcombe's hybrid score bound
/// ```
public struct DifferenceInterval: Sendable, Hashable, Codable {
    public enum Method: String, Sendable, Hashable, Codable {
        /// Newcombe's hybrid score interval (method 10 of Newcombe 1998) from two Wilson intervals; pooled
        /// two-proportion z-test for the p-value (statsmodels `confint_proportions_2indep(method="newcomb")` and
        /// `proportions_ztest`).
        case newcombe
        /// A normal (Welch) interval on a difference of means, each mean's variance from the sample's moments.
        case welch
        /// Each AUC's standard error by Hanley & McNeil (1982), the two added as independent.
        case hanleyMcNeil = "hanley_mcneil"
        /// Paired proportions (the same inputs scored twice): a Wald interval on `(c − b)/n` from McNemar's
        /// discordant cells, with McNemar's exact p-value.
        case pairedProportions = "paired_wald_mcnemar"
        /// Paired differences of a per-input quantity (absolute errors): a normal interval on their mean.
        case pairedMeans = "paired_normal"
    }

    public var estimate: Double
    public var lower: Double
    public var upper: Double
    public var pValue: Double
    /// Var(estimate): the sum of the two samples' variances of their means.
    public var variance: Double
    public var method: Method

    enum CodingKeys: String, CodingKey {
        case estimate, lower, upper, pValue = "p_value", variance, method
    }

    /// Two proportions `k/n`. Nil when either sample is empty.
    public static func proportions(candidate c: (k: Int64, n: Int64), baseline b: (k: Int64, n: Int64)) -> Self? {
        guard c.n > 0, b.n > 0 else { return nil }
        let (n1, n2) = (Double(c.n), Double(b.n))
        let (p1, p2) = (Double(c.k) / n1, Double(b.k) / n2)
        let (l1, u1) = WilsonInterval.bounds(successes: Double(c.k), n: n1)
        let (l2, u2) = WilsonInterval.bounds(successes: Double(b.k), n: n2)
        let d = p1 - p2
        let lower = d - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot()
        let upper = d + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()
        let pooled = Double(c.k + b.k) / (n1 + n2)
        let pooledSE = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        let p = pooledSE > 0 ? Normal.twoSidedP(d / pooledSE) : (d == 0 ? 1 : 0)
        return Self(
            estimate: d, lower: lower, upper: upper, pValue: p,
            variance: p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2, method: .newcombe)
    }

    /// Two means with their variances of the mean (`variance / n` each).
    public static func means(
        candidate: (mean: Double, varianceOfMean: Double), baseline: (mean: Double, varianceOfMean: Double)
    ) -> Self {
        let d = candidate.mean - baseline.mean
        let v = candidate.varianceOfMean + baseline.varianceOfMean
        let se = v.squareRoot()
        let p = se > 0 ? Normal.twoSidedP(d / se) : (d == 0 ? 1 : 0)
        return Self(
            estimate: d, lower: d - Normal.z95 * se, upper: d + Normal.z95 * se, pValue: p, variance: v, method: .welch)
    }

    /// Two ROC AUCs, each from its value and its numbers of positive and negative labels. Nil without both
    /// classes in both samples.
    public static func aucs(
        candidate: (auc: Double, positives: Int64, negatives: Int64),
        baseline: (auc: Double, positives: Int64, negatives: Int64)
    ) -> Self? {
        guard let v1 = hanleyMcNeilVariance(candidate), let v2 = hanleyMcNeilVariance(baseline) else { return nil }
        var d = means(candidate: (candidate.auc, v1), baseline: (baseline.auc, v2))
        d.method = .hanleyMcNeil
        return d
    }

    /// Var(AUC) = [A(1−A) + (P−1)(Q1−A²) + (N−1)(Q2−A²)] / (P·N), Q1 = A/(2−A), Q2 = 2A²/(1+A).
    static func hanleyMcNeilVariance(_ s: (auc: Double, positives: Int64, negatives: Int64)) -> Double? {
        guard s.positives > 0, s.negatives > 0 else { return nil }
        let a = s.auc
        let (p, n) = (Double(s.positives), Double(s.negatives))
        let q1 = a / (2 - a)
        let q2 = 2 * a * a / (1 + a)
        return (a * (1 - a) + (p - 1) * (q1 - a * a) + (n - 1) * (q2 - a * a)) / (p * n)
    }
}

extension DifferenceInterval {
    /// `shadow − primary` accuracy on `n` pairs, from McNemar's discordant cells: `b` pairs only the primary
    /// got right, `c` only the shadow. Nil without pairs.
    public static func pairedProportions(primaryOnly b: Int64, shadowOnly c: Int64, pairs n: Int64) -> Self? {
        guard n > 0 else { return nil }
        let (bd, cd, nd) = (Double(b), Double(c), Double(n))
        let d = (cd - bd) / nd
        let variance = max(0, bd + cd - (cd - bd) * (cd - bd) / nd) / (nd * nd)
        let half = Normal.z95 * variance.squareRoot()
        return Self(
            estimate: d, lower: d - half, upper: d + half, pValue: McNemar.exactPValue(b: b, c: c),
            variance: variance, method: .pairedProportions)
    }

    /// The mean of `n` paired differences from their sum and sum of squares. Nil below two pairs.
    public static func pairedMeans(sum: Double, sumOfSquares: Double, pairs n: Int64) -> Self? {
        guard n > 1 else { return nil }
        let nd = Double(n)
        let mean = sum / nd
        let variance = max(0, (sumOfSquares - nd * mean * mean) / (nd - 1)) / nd
        let se = variance.squareRoot()
        let p = se > 0 ? Normal.twoSidedP(mean / se) : (mean == 0 ? 1 : 0)
        return Self(
            estimate: mean, lower: mean - Normal.z95 * se, upper: mean + Normal.z95 * se, pValue: p,
            variance: variance, method: .pairedMeans)
    }
}

/// McNemar's exact test: under "no difference" each discordant pair is the primary's or the shadow's win
/// with probability ½.
enum McNemar {
    /// Two-sided: `min(1, 2 · P(X ≤ min(b, c)))` for `X ~ Binomial(b + c, ½)` (statsmodels'
    /// `mcnemar(table, exact=True)`).
    static func exactPValue(b: Int64, c: Int64) -> Double {
        let n = b + c
        guard n > 0 else { return 1 }
        let k = min(b, c)
        // The largest term is P(X = k) (k ≤ n/2); sum down from it with the ratio C(n, i−1)/C(n, i) = i/(n−i+1).
        let nd = Double(n)
        let logTerm = lgamma(nd + 1) - lgamma(Double(k) + 1) - lgamma(nd - Double(k) + 1) - nd * log(2.0)
        var term = exp(logTerm)
        var sum = term
        var i = k
        while i > 0 {
            term *= Double(i) / (nd - Double(i) + 1)
            sum += term
            if term < sum * 1e-17 { break }
            i -= 1
        }
        return min(1, 2 * sum)
    }
}

/// The standard normal distribution, for intervals and p-values.
enum Normal {
    static let z95 = WilsonInterval.z95

    /// P(Z ≤ z), in full relative precision far into the lower tail.
    static func cdf(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// P(|Z| ≥ |z|).
    static func twoSidedP(_ z: Double) -> Double { erfc(abs(z) / 2.0.squareRoot()) }
}
