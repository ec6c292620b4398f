import Foundation

/// Performance of a binary classifier over a window when labels are missing or partial: the realized
/// metrics on labeled rows, the metrics *expected* on unlabeled rows from their scores (confidence-based
/// performance estimation, CBPE), and the two blended, with a 95% confidence interval.
///
/// The estimate assumes calibrated scores (`P(label = 1 | score = s) = s`) and independent rows; it
/// cannot see concept drift (a change in `P(label | features)` that leaves the scores alone).
public struct EstimatedPerformance: Sendable, Hashable, Codable {
    public var model: String
    public var from: Timestamp?
    public var to: Timestamp?
    public var count: Int64
    public var labeled: Int64
    public var labelCoverage: Double?
    /// Unlabeled predictions with a score: the ones the estimate covers.
    public var estimated: Int64
    /// Unlabeled predictions without a score: neither realized nor estimated.
    public var unestimable: Int64
    /// Labeled rows only.
    public var realized: Metrics?
    /// Unlabeled, scored rows only (expected values).
    public var expectedOnUnlabeled: Metrics?
    /// Realized on labeled rows plus expected on unlabeled ones.
    public var blended: Blended?

    public struct Metrics: Sendable, Hashable, Codable {
        public var accuracy: Double?
        public var precision: Double?
        public var recall: Double?
        public var confusion: Confusion
    }

    /// Confusion counts; expected counts are fractional.
    public struct Confusion: Sendable, Hashable, Codable {
        public var tp: Double
        public var fp: Double
        public var tn: Double
        public var fn: Double
    }

    public struct Blended: Sendable, Hashable, Codable {
        public var accuracy: Interval?
        public var precision: Interval?
        public var recall: Interval?
        public var confusion: Confusion
    }

    /// A value with its 95% confidence interval (normal approximation, clipped to [0, 1]).
    public struct Interval: Sendable, Hashable, Codable {
        public var value: Double
        public var lower: Double
        public var upper: Double

        init(_ value: Double, standardError: Double) {
            self.value = value
            lower = Swift.max(0, value - 1.959964 * standardError)
            upper = Swift.min(1, value + 1.959964 * standardError)
        }
    }

    enum CodingKeys: String, CodingKey {
        case model, from, to, count, labeled, labelCoverage = "label_coverage", estimated, unestimable, realized
        case expectedOnUnlabeled = "expected_on_unlabeled", blended
    }

    init(model: String, from: Timestamp?, to: Timestamp?, aggregate a: Aggregate) {
        self.model = model
        self.from = from
        self.to = to
        count = a.count
        labeled = a.labeled
        labelCoverage = a.count > 0 ? Double(a.labeled) / Double(a.count) : nil
        let u = a.expected.unlabeled
        estimated = u.positives + u.negatives
        unestimable = a.count - a.labeled - estimated
        let real = Confusion(
            tp: Double(a.binary.tp), fp: Double(a.binary.fp), tn: Double(a.binary.tn), fn: Double(a.binary.fn))
        let expected = Confusion(
            tp: u.positiveScores, fp: Double(u.positives) - u.positiveScores,
            tn: Double(u.negatives) - u.negativeScores, fn: u.negativeScores)
        if a.labeled > 0 { realized = Self.metrics(real) }
        if estimated > 0 { expectedOnUnlabeled = Self.metrics(expected) }
        guard a.labeled + estimated > 0 else { return }
        let c = Confusion(
            tp: real.tp + expected.tp, fp: real.fp + expected.fp, tn: real.tn + expected.tn, fn: real.fn + expected.fn)
        var b = Blended(confusion: c)
        let n = c.tp + c.fp + c.tn + c.fn
        // Each unlabeled row is right with probability s or 1 − s: a Bernoulli of variance s(1 − s).
        b.accuracy = Interval(
            (c.tp + c.tn) / n, standardError: (u.positiveVariance + u.negativeVariance).squareRoot() / n)
        let predictedPositive = c.tp + c.fp
        if predictedPositive > 0 {
            b.precision = Interval(
                c.tp / predictedPositive, standardError: u.positiveVariance.squareRoot() / predictedPositive)
        }
        let actualPositive = c.tp + c.fn
        if actualPositive > 0 {
            // Delta method for A/(A + B), A = TP and B = FN independent sums of Bernoullis.
            let variance =
                (c.fn * c.fn * u.positiveVariance + c.tp * c.tp * u.negativeVariance)
                / Foundation.pow(actualPositive, 4)
            b.recall = Interval(c.tp / actualPositive, standardError: variance.squareRoot())
        }
        blended = b
    }

    private static func metrics(_ c: Confusion) -> Metrics {
        let n = c.tp + c.fp + c.tn + c.fn
        return Metrics(
            accuracy: n > 0 ? (c.tp + c.tn) / n : nil, precision: c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : nil,
            recall: c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : nil, confusion: c)
    }
}

extension Engine {
    /// Realized, expected and blended accuracy, precision and recall of a binary classifier over a window.
    public func estimatedPerformance(
        model name: String, window: Window = .cumulative, version: String? = nil, segment: Segment? = nil
    ) throws(QueryError) -> EstimatedPerformance {
        let m = try binaryModel(name, for: "estimated performance")
        let (merged, from, to) = try mergedWindow(m, window: window, version: version, segment: segment, parts: [])
        return EstimatedPerformance(model: name, from: from, to: to, aggregate: merged.aggregate)
    }
}
