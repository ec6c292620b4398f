/// A service-level objective on one model, or on a job, dataset or gate of its pipeline: an SLI, an objective
/// over a rolling window, the sample it needs, and the rules that alert on it.
///
/// ```json
/// {
///   "model": "taxi-tip", "owner": "ml-platform", "labels": {"team": "pricing"},
///   "sli": "accuracy", "objective": ">= 0.70", "window": "7d", "min_samples": 200
/// }
/// {"sli": "dataset.freshness", "dataset": {"namespace": "lake", "name": "features.trips"}, "objective": "<= 7200"}
/// ```
///
/// Ratio SLIs (accuracy, recall, missing rates …) get an error budget — allowed bad events =
/// (1 − target) × eligible events for `>=`, target × eligible for `<=` — and the default burn-rate rules;
/// other SLIs get one threshold rule held for `for`.
public struct SLODefinition: Sendable, Hashable, Codable {
    public var name: String
    /// The model measured; empty for pipeline SLIs, where it may name the model the pipeline feeds.
    public var model: String
    /// Pipeline SLIs: the job (`job.*`), dataset (`dataset.*`) or gate (`gate.*`) measured.
    public var job: JobRef?
    public var dataset: DatasetRef?
    public var gate: String?
    /// The team or person responsible, carried on every notification.
    public var owner: String?
    /// Extra labels carried on every notification (routing keys for Alertmanager).
    public var labels: [String: String]
    public var description: String?
    /// The version the SLI is measured on; for `candidate_worse` SLIs, the candidate.
    public var version: String?
    /// `candidate_worse` SLIs: the version the candidate is compared against.
    public var baseline: String?
    public var segment: Segment?
    /// A slice of the model's features the metric is measured in (`payment_type = cash & pickup_borough =
    /// Brooklyn`, as `GET …/slices` names it); the SLI is then accuracy, precision or recall, read from the
    /// model's slice counts (hourly, daily past 7 days).
    public var slice: String?
    public var sli: SLI
    public var objective: Objective
    /// The rolling window the objective is judged over.
    public var window: Duration
    /// Below this many samples the verdict is `insufficient_data` and nothing alerts.
    public var minSamples: Int64
    /// Label-based SLIs: below this fraction of labeled predictions the window is not judged healthy.
    public var minLabelCoverage: Double
    /// Threshold rules: how long the SLI must be violated before the alert fires.
    public var forDuration: Duration
    /// `nil` for the defaults of the SLI's kind.
    public var alerts: [AlertRule]?

    public init(
        name: String, model: String, sli: SLI, objective: Objective, window: Duration = .seconds(30 * 86_400),
        minSamples: Int64 = 100, minLabelCoverage: Double = 0.1, owner: String? = nil, labels: [String: String] = [:],
        version: String? = nil, segment: Segment? = nil, for forDuration: Duration = .zero, alerts: [AlertRule]? = nil,
        description: String? = nil, baseline: String? = nil, job: JobRef? = nil, dataset: DatasetRef? = nil,
        gate: String? = nil
    ) {
        self.baseline = baseline
        self.job = job
        self.dataset = dataset
        self.gate = gate
        self.name = name
        self.model = model
        self.sli = sli
        self.objective = objective
        self.window = window
        self.minSamples = minSamples
        self.minLabelCoverage = minLabelCoverage
        self.owner = owner
        self.labels = labels
        self.version = version
        self.segment = segment
        self.forDuration = forDuration
        self.alerts = alerts
        self.description = description
    }

    /// What a pipeline SLI measures, as text: `NAMESPACE/NAME` of its job or dataset, or its gate's name.
    public var subject: String? {
        switch sli.pipelineMeasure?.subject {
        case .job: return job?.description
        case .dataset: return dataset?.description
        case .gate: return gate
        case nil: return nil
        }
    }

    /// What the SLO watches, for people: the model, or a pipeline SLO's `job NS/NAME`, `dataset NS/NAME` or
    /// `gate NAME`.
    public var watched: String {
        guard let measure = sli.pipelineMeasure, let subject else { return model }
        return "\(measure.subject.rawValue) \(subject)"
    }

    /// The rules that apply: the definition's own, else the defaults of its SLI's kind.
    public var rules: [AlertRule] {
        alerts ?? (sli.isRatio ? AlertRule.defaultBurnRateRules : [AlertRule.defaultThresholdRule(for: forDuration)])
    }

    /// The fraction of eligible events allowed to be bad (ratio SLIs).
    public var budgetFraction: Double {
        objective.comparison == .atLeast ? 1 - objective.target : objective.target
    }

    /// Checks the definition, throwing an error that names the field.
    public func validate() throws(SLOError) {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw SLOError(
                .invalidDefinition, field: "name", "SLO name '\(name)' must be letters, digits, '-', '_' or '.'")
        }
        if let measure = sli.pipelineMeasure {
            try validateSubject(measure)
        } else {
            guard !model.isEmpty else { throw SLOError(.invalidDefinition, field: "model", "model must not be empty") }
            for (field, given) in [("job", job != nil), ("dataset", dataset != nil), ("gate", gate != nil)] where given
            {
                throw SLOError(
                    .invalidDefinition, field: field, "\(field) applies to pipeline SLIs only, not to \(sli)")
            }
        }
        guard minSamples >= 0 else {
            throw SLOError(.invalidDefinition, field: "min_samples", "min_samples must be zero or more")
        }
        guard (0...1).contains(minLabelCoverage) else {
            throw SLOError(.invalidDefinition, field: "min_label_coverage", "min_label_coverage must be in [0, 1]")
        }
        if sli.isRatio {
            guard (0...1).contains(objective.target) else {
                throw SLOError(
                    .invalidObjective, field: "objective",
                    "\(sli) is a proportion: the objective's target must be in [0, 1], got \(objective.target)")
            }
            guard budgetFraction > 0 else {
                throw SLOError(
                    .invalidObjective, field: "objective",
                    "objective '\(objective)' leaves no error budget: every event would have to be good")
            }
        }
        if slice != nil { try validateSlice() }
        if case .candidateWorse = sli {
            try validateComparison()
        } else if baseline != nil {
            throw SLOError(
                .invalidDefinition, field: "baseline", "baseline applies to candidate_worse SLIs only, not to \(sli)")
        }
        if case .freshness = sli, objective.comparison != .atMost {
            throw SLOError(
                .invalidObjective, field: "objective",
                "freshness is seconds since the last prediction: use '<= SECONDS'")
        }
        try validateRules()
    }

    /// A pipeline SLI names its subject in the field of its kind and nothing a model SLI scopes by; its
    /// staleness and duration objectives are upper bounds.
    private func validateSubject(_ measure: PipelineMeasure) throws(SLOError) {
        let given: [PipelineMeasure.Subject: Bool] = [
            .job: job.map { !$0.namespace.isEmpty && !$0.name.isEmpty } ?? false,
            .dataset: dataset.map { !$0.namespace.isEmpty && !$0.name.isEmpty } ?? false,
            .gate: gate.map { !$0.isEmpty } ?? false,
        ]
        let field = measure.subject.rawValue
        guard given[measure.subject] == true else {
            let example = measure.subject == .gate ? #""trips-gate""# : #"{"namespace": "NS", "name": "NAME"}"#
            throw SLOError(.invalidDefinition, field: field, "\(sli) needs \(field): \(example)")
        }
        for (other, present) in given where other != measure.subject && present {
            throw SLOError(
                .invalidDefinition, field: other.rawValue, "\(sli) measures a \(field), not a \(other.rawValue)")
        }
        for (other, present) in [("version", version != nil), ("segment", segment != nil)] where present {
            throw SLOError(.invalidDefinition, field: other, "\(other) applies to model SLIs, not to \(sli)")
        }
        if !measure.isRatio, objective.comparison != .atMost {
            throw SLOError(.invalidObjective, field: "objective", "\(sli) is in seconds: use '<= SECONDS'")
        }
    }

    /// The default objective of a `candidate_worse` SLI: a loss of at most 0.01 is no loss.
    public static let defaultComparisonObjective = Objective(.atLeast, -0.01)

    /// The non-inferiority margin of a `candidate_worse` SLI, from its objective `>= −margin`.
    public var margin: Double { max(0, -objective.target) }

    private func validateComparison() throws(SLOError) {
        guard let version, !version.isEmpty else {
            throw SLOError(.invalidDefinition, field: "version", "\(sli) needs version: the candidate")
        }
        guard let baseline, !baseline.isEmpty else {
            throw SLOError(
                .invalidDefinition, field: "baseline", "\(sli) needs baseline: the version to compare against")
        }
        guard baseline != version else {
            throw SLOError(.invalidDefinition, field: "baseline", "baseline and version are both '\(version)'")
        }
        guard objective.comparison == .atLeast, objective.target <= 0, objective.target > -1 else {
            throw SLOError(
                .invalidObjective, field: "objective",
                "\(sli) is the candidate's improvement over the baseline: the objective is '>= -MARGIN' with 0 ≤ MARGIN < 1, e.g. '>= -0.01'"
            )
        }
    }

    private func validateRules() throws(SLOError) {
        var names: Set<String> = []
        for (i, rule) in rules.enumerated() {
            let field = "alerts[\(i)]"
            guard !rule.name.isEmpty, names.insert(rule.name).inserted else {
                throw SLOError(.invalidRule, field: "\(field).name", "alert rule names must be unique and not empty")
            }
            guard let factor = rule.burnRate else { continue }
            guard sli.isRatio else {
                throw SLOError(
                    .invalidRule, field: "\(field).burn_rate",
                    "\(sli) has no error budget, so rule '\(rule.name)' cannot use burn_rate: drop it for a threshold rule"
                )
            }
            guard factor > 0, factor.isFinite else {
                throw SLOError(.invalidRule, field: "\(field).burn_rate", "burn_rate must be a positive number")
            }
            guard rule.longWindow != nil else {
                throw SLOError(
                    .invalidRule, field: "\(field).long_window", "burn-rate rule '\(rule.name)' needs long_window")
            }
            if let short = rule.shortWindow, let long = rule.longWindow, short >= long {
                throw SLOError(
                    .invalidRule, field: "\(field).short_window", "short_window must be shorter than long_window")
            }
        }
    }

    /// Rules that can never fire, with why: a burn rate above the largest possible one (1 / budget).
    public var warnings: [String] {
        guard sli.isRatio else { return [] }
        let maxBurn = 1 / budgetFraction
        return rules.compactMap { rule in
            guard let factor = rule.burnRate, factor > maxBurn else { return nil }
            return
                "rule '\(rule.name)' (\(factor)× burn) can never fire: with objective '\(objective)' the budget is \(SLOEvaluator.format(budgetFraction)) of events, so the largest possible burn rate is \(SLOEvaluator.format((maxBurn * 100).rounded() / 100))×"
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, model, owner, labels, description, version, baseline, segment, slice, sli, objective, window
        case job, dataset, gate
        case minSamples = "min_samples", minLabelCoverage = "min_label_coverage"
        case forDuration = "for", alerts
    }

    /// Every key a definition may have, so unknown ones can be reported by name.
    public static let fields: Set<String> = [
        "name", "model", "owner", "labels", "description", "version", "baseline", "segment", "sli", "objective",
        "window", "min_samples", "min_label_coverage", "for", "alerts", "job", "dataset", "gate", "slice",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        job = try c.decodeIfPresent(JobRef.self, forKey: .job)
        dataset = try c.decodeIfPresent(DatasetRef.self, forKey: .dataset)
        gate = try c.decodeIfPresent(String.self, forKey: .gate)
        owner = try c.decodeIfPresent(String.self, forKey: .owner)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        description = try c.decodeIfPresent(String.self, forKey: .description)
        version = try c.decodeIfPresent(String.self, forKey: .version)
        baseline = try c.decodeIfPresent(String.self, forKey: .baseline)
        segment = try c.decodeIfPresent(String.self, forKey: .segment).map(Self.segment)
        slice = try c.decodeIfPresent(String.self, forKey: .slice)
        sli = try c.decode(SLI.self, forKey: .sli)
        if case .candidateWorse = sli, !c.contains(.objective) {
            objective = Self.defaultComparisonObjective
        } else {
            objective = try c.decode(Objective.self, forKey: .objective)
        }
        window = try c.decodeIfPresent(String.self, forKey: .window).map(Duration.decoded) ?? .seconds(30 * 86_400)
        // A job runs a few times a day, not thousands: one run or check is a sample worth judging.
        minSamples = try c.decodeIfPresent(Int64.self, forKey: .minSamples) ?? (sli.pipelineMeasure == nil ? 100 : 1)
        minLabelCoverage = try c.decodeIfPresent(Double.self, forKey: .minLabelCoverage) ?? 0.1
        forDuration = try c.decodeIfPresent(String.self, forKey: .forDuration).map(Duration.decoded) ?? .zero
        alerts = try c.decodeIfPresent([AlertRule].self, forKey: .alerts)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(model, forKey: .model)
        try c.encodeIfPresent(job, forKey: .job)
        try c.encodeIfPresent(dataset, forKey: .dataset)
        try c.encodeIfPresent(gate, forKey: .gate)
        try c.encodeIfPresent(owner, forKey: .owner)
        try c.encode(labels, forKey: .labels)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encodeIfPresent(version, forKey: .version)
        try c.encodeIfPresent(baseline, forKey: .baseline)
        try c.encodeIfPresent(segment.map { "\($0.key):\($0.value)" }, forKey: .segment)
        try c.encodeIfPresent(slice, forKey: .slice)
        try c.encode(sli, forKey: .sli)
        try c.encode(objective, forKey: .objective)
        try c.encode(window.windowText, forKey: .window)
        try c.encode(minSamples, forKey: .minSamples)
        try c.encode(minLabelCoverage, forKey: .minLabelCoverage)
        try c.encode(forDuration.windowText, forKey: .forDuration)
        try c.encodeIfPresent(alerts, forKey: .alerts)
    }

    /// A slice SLO measures a slice metric of all the model's traffic: not a version's, nor a segment's.
    private func validateSlice() throws(SLOError) {
        guard case .metric(let name) = sli, SliceMetric(rawValue: name) != nil else {
            throw SLOError(
                .invalidDefinition, field: "slice",
                "a slice is measured by accuracy, precision or recall (its slice counts), not \(sli)")
        }
        for (field, given) in [("version", version != nil), ("segment", segment != nil)] where given {
            throw SLOError(
                .invalidDefinition, field: field, "\(field) does not combine with slice: slices count every version")
        }
        guard let slice, !slice.isEmpty, slice.count <= 512 else {
            throw SLOError(.invalidDefinition, field: "slice", "slice must be a slice's name, at most 512 characters")
        }
    }

    static func segment(_ text: String) throws -> Segment {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw SLOError(.invalidDefinition, field: "segment", "segment must be KEY:VALUE, got '\(text)'")
        }
        return Segment(key: String(text[..<colon]), value: String(text[text.index(after: colon)...]))
    }
}
