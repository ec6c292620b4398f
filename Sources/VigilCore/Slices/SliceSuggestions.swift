/// Slices worth monitoring on their own: large, and with a metric that moves from day to day more than
/// sampling noise explains.
///
/// For a slice with `gᵈ` good of `nᵈ` events on each day `d` of the window (days with `nᵈ > 0`), and
/// `p̂ = Σg/Σn`, the homogeneity statistic is `X² = Σ (gᵈ − nᵈp̂)² / (nᵈp̂(1 − p̂))` with `D − 1` degrees of
/// freedom (the chi-square test of the 2×D table, as scipy's `chi2_contingency`); the dispersion `φ = X²/(D − 1)`
/// is 1 for a metric that only varies by chance. The p-values are adjusted by Benjamini–Hochberg over the
/// candidates, and a slice is `volatile` when its q-value is at most the false discovery rate.
public struct SliceSuggestions: Sendable, Hashable, Codable {
    public struct Suggestion: Sendable, Hashable, Codable {
        /// The slice's conditions joined by ` & ` (the name `POST …/slices/monitor` takes).
        public var slice: String
        public var conditions: [SliceCondition]
        /// Predictions in the slice, and their share of the model's predictions over the window.
        public var predictions: Int64
        public var share: Double
        /// The metric over the whole window.
        public var metric: MetricValue
        /// The metric on each day with labeled events.
        public var daily: [Day]
        public var chi2: Double
        public var dof: Int
        public var dispersion: Double
        public var pValue: Double
        public var qValue: Double
        public var volatile: Bool
        /// `share × (φ − 1)`, at least 0: how much of the traffic moves beyond chance. Suggestions are ranked by it.
        public var score: Double

        enum CodingKeys: String, CodingKey {
            case slice, conditions, predictions, share, metric, daily, chi2, dof, dispersion
            case pValue = "p_value", qValue = "q_value", volatile, score
        }
    }

    public struct Day: Sendable, Hashable, Codable {
        public var day: Timestamp
        public var value: Double
        public var n: Int64
    }

    public var model: String
    public var metric: SliceMetric
    public var from: Timestamp
    public var to: Timestamp
    public var minShare: Double
    public var fdr: Double
    /// Slices tested: at least `min_share` of the predictions, `min_size` events and two days with events.
    public var tested: Int
    /// Volatile slices first, by score; then the others by p-value.
    public var suggestions: [Suggestion]

    enum CodingKeys: String, CodingKey {
        case model, metric, from, to, minShare = "min_share", fdr, tested, suggestions
    }

    /// The homogeneity test of daily `(good, n)` counts; `nil` with fewer than two days of events.
    static func homogeneity(_ days: [(good: Int64, n: Int64)]) -> (chi2: Double, dof: Int, p: Double)? {
        let days = days.filter { $0.n > 0 }
        guard days.count >= 2 else { return nil }
        let rate = Double(days.reduce(0) { $0 + $1.good }) / Double(days.reduce(0) { $0 + $1.n })
        let dof = days.count - 1
        guard rate > 0, rate < 1 else { return (0, dof, 1) }
        let chi2 = days.reduce(0.0) { sum, d in
            let expected = Double(d.n) * rate
            return sum + (Double(d.good) - expected) * (Double(d.good) - expected) / (expected * (1 - rate))
        }
        return (chi2, dof, ChiSquareTest.survival(chi2, dof: dof))
    }

    /// Benjamini–Hochberg over `suggestions`, then the ranking.
    static func ranked(_ suggestions: [Suggestion], fdr: Double) -> [Suggestion] {
        var all = suggestions
        for (i, q) in SliceFinder.qValues(all.map(\.pValue)).enumerated() {
            all[i].qValue = q
            all[i].volatile = q <= fdr
        }
        return all.sorted { a, b in
            if a.volatile != b.volatile { return a.volatile }
            if a.volatile, a.score != b.score { return a.score > b.score }
            if a.pValue != b.pValue { return a.pValue < b.pValue }
            return a.slice < b.slice
        }
    }
}
