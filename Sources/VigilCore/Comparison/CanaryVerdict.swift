/// One answer for a progressive-delivery tool: may the candidate take more traffic?
///
/// - `fail`: some metric is shown `worse` — overall or in one segment value — so roll back;
/// - `pass`: every metric is shown `better` or `no_worse` overall and none is `worse` anywhere;
/// - `inconclusive`: not enough labels yet to say either.
///
/// By default the always-valid (sequential) verdicts decide, because a rollout controller asks again and again;
/// the fixed-sample ones may be chosen for a single, planned look.
///
/// ```swift
/// let c = try engine.compare(model: "fraud", baseline: "v1", candidate: "v2", segmentKey: "region")
/// CanaryVerdict(c).verdict          // .fail
/// CanaryVerdict(c).recommendation   // "roll back to v1: recall is worse in region:apac (…)"
/// ```
public struct CanaryVerdict: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        case pass, fail, inconclusive
    }

    /// Which of a metric's two verdicts decides.
    public enum Rule: String, Sendable, Hashable, Codable {
        case sequential, fixed
    }

    /// A metric in a slice that was shown worse.
    public struct Finding: Sendable, Hashable, Codable {
        public var metric: String
        public var segment: Segment?
        public var baseline: Double?
        public var candidate: Double?
        public var lower: Double
        public var upper: Double
    }

    public var verdict: Outcome
    public var decidedBy: Rule
    public var model: String
    public var baseline: String
    public var candidate: String
    public var margin: Double
    public var recommendation: String
    /// Every metric and slice shown worse (empty unless `fail`).
    public var worse: [Finding]
    /// Overall metrics not yet decided (empty unless `inconclusive`).
    public var undecided: [String]
    /// The largest number of labels an undecided overall metric still needs, if the difference holds.
    public var labelsNeeded: Int64?
    public var labels: Labels

    public struct Labels: Sendable, Hashable, Codable {
        public var baseline: Int64
        public var candidate: Int64
    }

    enum CodingKeys: String, CodingKey {
        case verdict, decidedBy = "decided_by", model, baseline, candidate, margin, recommendation, worse, undecided
        case labelsNeeded = "labels_needed", labels
    }

    public init(_ comparison: VersionComparison, rule: Rule = .sequential) {
        func verdict(_ m: VersionComparison.Metric) -> ComparisonVerdict {
            rule == .sequential ? (m.sequential?.verdict ?? .undecided) : m.verdict
        }
        var worse: [Finding] = []
        for slice in comparison.slices {
            for m in slice.metrics where verdict(m) == .worse {
                let interval = rule == .sequential
                    ? (m.sequential?.lower ?? .nan, m.sequential?.upper ?? .nan)
                    : (m.difference?.lower ?? .nan, m.difference?.upper ?? .nan)
                worse.append(Finding(
                    metric: m.metric, segment: slice.segment, baseline: m.baseline.value, candidate: m.candidate.value,
                    lower: interval.0, upper: interval.1))
            }
        }
        let overall = comparison.slices.first { $0.segment == nil }?.metrics ?? []
        let undecided = overall.filter { ![.better, .noWorse].contains(verdict($0)) }
        self.worse = worse
        self.undecided = worse.isEmpty ? undecided.map(\.metric) : []
        self.verdict = !worse.isEmpty ? .fail : (undecided.isEmpty && !overall.isEmpty ? .pass : .inconclusive)
        self.decidedBy = rule
        self.model = comparison.model
        self.baseline = comparison.baseline
        self.candidate = comparison.candidate
        self.margin = comparison.margin
        self.labels = Labels(baseline: overall.first?.baseline.n ?? 0, candidate: overall.first?.candidate.n ?? 0)
        // The fixed-sample estimate of what is missing; the sequential test needs somewhat more.
        self.labelsNeeded = self.verdict == .inconclusive ? undecided.compactMap(\.labelsNeeded).max() : nil
        self.recommendation = Self.recommend(self.verdict, worse, undecided.map(\.metric), comparison, labelsNeeded)
    }

    static func recommend(
        _ outcome: Outcome, _ worse: [Finding], _ undecided: [String], _ c: VersionComparison, _ needed: Int64?
    ) -> String {
        switch outcome {
        case .fail:
            let named = worse.prefix(3).map { f in
                "\(f.metric) is worse\(f.segment.map { " in \($0.key):\($0.value)" } ?? "")"
            }
            return "roll back to \(c.baseline): \(named.joined(separator: "; "))\(worse.count > 3 ? "; …" : "")"
        case .pass:
            return "promote \(c.candidate): no metric is worse than \(c.baseline) by more than \(c.margin)"
        case .inconclusive:
            let more = needed.map { ", about \($0) more labels if the differences hold" } ?? ""
            return undecided.isEmpty
                ? "wait: no labels to compare yet"
                : "wait: \(undecided.joined(separator: ", ")) not decided yet\(more)"
        }
    }
}
