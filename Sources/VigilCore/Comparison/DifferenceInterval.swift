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

/// The standard normal distribution, for intervals and p-values.
enum Normal {
    static let z95 = WilsonInterval.z95

    /// P(|Z| ≥ |z|).
    static func twoSidedP(_ z: Double) -> Double { erfc(abs(z) / 2.0.squareRoot()) }
}
