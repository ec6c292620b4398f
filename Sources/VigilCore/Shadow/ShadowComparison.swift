/// A shadow version against the served version(s) on the same inputs: how often they disagree (no labels
/// needed) and, on labeled pairs, which is more often right (McNemar) or closer (paired errors).
public struct ShadowComparison: Sendable, Hashable, Codable {
    /// McNemar's 2 × 2 table over labeled classification pairs.
    public struct Table: Sendable, Hashable, Codable {
        public var bothRight: Int64
        public var primaryOnlyRight: Int64
        public var shadowOnlyRight: Int64
        public var bothWrong: Int64

        enum CodingKeys: String, CodingKey {
            case bothRight = "both_right", primaryOnlyRight = "primary_only_right"
            case shadowOnlyRight = "shadow_only_right", bothWrong = "both_wrong"
        }
    }

    public var model: String
    public var shadow: String
    /// The served version paired with, or `nil` for every served version.
    public var primary: String?
    public var from: Timestamp?
    public var to: Timestamp?
    public var margin: Double
    /// Pairs with both predictions.
    public var pairs: Int64
    /// Classification: the share of pairs whose predicted classes differ, with its Wilson interval.
    public var disagreement: MetricValue?
    /// Regression: the mean |ŷ_shadow − ŷ_primary| over pairs.
    public var meanPredictionDifference: Double?
    public var labeledPairs: Int64
    public var table: Table?
    /// The metric compared on labeled pairs: `accuracy` (classification) or `mae` (regression).
    public var metric: String
    public var primaryValue: Double?
    public var shadowValue: Double?
    /// `shadow − primary` of the metric, paired, with its 95 % interval and p-value (McNemar's exact test for
    /// classification).
    public var difference: DifferenceInterval?
    /// From the improvement (positive: the shadow is better) against the margin.
    public var verdict: ComparisonVerdict

    enum CodingKeys: String, CodingKey {
        case model, shadow, primary, from, to, margin, pairs, disagreement
        case meanPredictionDifference = "mean_prediction_difference", labeledPairs = "labeled_pairs", table, metric
        case primaryValue = "primary_value", shadowValue = "shadow_value", difference, verdict
    }

    init(model: String, shadow: String, primary: String?, bounds: (Int64, Int64)?, margin: Double,
         counts c: PairedCounts, regression: Bool)
    {
        self.model = model
        self.shadow = shadow
        self.primary = primary
        from = bounds.map { Timestamp(milliseconds: $0.0) }
        to = bounds.map { Timestamp(milliseconds: $0.1) }
        self.margin = margin
        pairs = c.pairs
        labeledPairs = c.labeled
        metric = regression ? "mae" : "accuracy"
        verdict = .undecided
        let n = Double(c.labeled)
        if regression {
            meanPredictionDifference = c.pairs > 0 ? c.predictionDifference / Double(c.pairs) : nil
            difference = DifferenceInterval.pairedMeans(
                sum: c.errorDifference, sumOfSquares: c.errorDifferenceSquares, pairs: c.labeled)
            if let d = difference { verdict = ComparisonVerdict.decide(lower: -d.upper, upper: -d.lower, margin: margin) }
        } else {
            disagreement = .proportion(c.disagreements, of: c.pairs)
            table = Table(
                bothRight: c.bothRight, primaryOnlyRight: c.primaryOnlyRight, shadowOnlyRight: c.shadowOnlyRight,
                bothWrong: c.bothWrong)
            if c.labeled > 0 {
                primaryValue = Double(c.bothRight + c.primaryOnlyRight) / n
                shadowValue = Double(c.bothRight + c.shadowOnlyRight) / n
            }
            difference = DifferenceInterval.pairedProportions(
                primaryOnly: c.primaryOnlyRight, shadowOnly: c.shadowOnlyRight, pairs: c.labeled)
            if let d = difference { verdict = ComparisonVerdict.decide(lower: d.lower, upper: d.upper, margin: margin) }
        }
    }
}

extension Engine {
    /// A shadow version against the served version it shadows (`primary`, or every served version), over the
    /// pairs whose served prediction falls in `window` (by hour).
    ///
    /// ```swift
    /// let s = try engine.shadowComparison(model: "fraud", shadow: "v3", primary: "v1")
    /// s.disagreement?.value     // 0.026
    /// s.difference?.pValue      // McNemar's exact test
    /// ```
    public func shadowComparison(
        model name: String, shadow: String, primary: String? = nil, window: Window = .cumulative, margin: Double = 0.01
    ) throws(QueryError) -> ShadowComparison {
        let m = try modelId(known: name)
        guard models[m].shadowVersions.contains(shadow) else {
            throw QueryError(
                .unknownVersion,
                "model '\(Self.clipped(name))' has no shadow version '\(Self.clipped(shadow))'; its shadow versions: \(Self.listed(models[m].shadowVersions))")
        }
        if let primary, !models[m].versions.contains(primary) {
            throw QueryError(
                .unknownVersion,
                "model '\(Self.clipped(name))' has no served version '\(Self.clipped(primary))'; it has \(Self.listed(models[m].versions))")
        }
        guard margin.isFinite, margin >= 0, margin < 1 else {
            throw QueryError(.invalidComparison, "margin must be a number from 0 to 1, got \(margin)")
        }
        let bounds = window.bounds
        if let (a, b) = bounds, a > b { throw QueryError(.invalidWindow, "window starts after it ends") }
        let shadowSeries = seriesIndex[SeriesKey(model: m, version: Self.shadowSeriesVersion(shadow), segment: nil)]
        let primarySeries = primary.flatMap { seriesIndex[SeriesKey(model: m, version: $0, segment: nil)] }
        var total = PairedCounts()
        // In a fixed order, so sums of doubles do not depend on a dictionary's layout.
        let keys = Set(shards.flatMap(\.shadowPairs.keys)).filter {
            $0.shadow == shadowSeries && (primary == nil || $0.primary == primarySeries)
        }
        for key in keys.sorted(by: { $0.primary < $1.primary }) {
            for shard in shards {
                let hours = shard.shadowPairs[key] ?? [:]
                for hour in hours.keys.sorted() {
                    let start = hour * Resolution.hour.milliseconds
                    if let (a, b) = bounds, start < a || start >= b { continue }
                    total.add(hours[hour]!)
                }
            }
        }
        return ShadowComparison(
            model: name, shadow: shadow, primary: primary, bounds: bounds, margin: margin, counts: total,
            regression: models[m].task == .regression)
    }
}
