/// Where an SLO stands at one time: the SLI with its interval, the error budget, burn rates and a verdict.
public struct SLOStatus: Sendable, Hashable, Codable {
    public enum Verdict: String, Sendable, Hashable, Codable {
        /// Meets the objective and no alert condition holds.
        case ok
        /// The point value misses the objective but its interval still straddles it, or an alert condition holds.
        case atRisk = "at_risk"
        /// The whole interval is on the wrong side of the objective.
        case breached
        /// Fewer samples than `min_samples`, or too little label coverage to judge.
        case insufficientData = "insufficient_data"
    }

    /// The error budget over the SLO window (ratio SLIs).
    public struct Budget: Sendable, Hashable, Codable {
        public var eligibleEvents: Int64
        public var allowedBadEvents: Double
        public var badEvents: Int64
        public var remainingEvents: Double
        /// 1 untouched, 0 spent, negative overspent.
        public var remainingFraction: Double

        enum CodingKeys: String, CodingKey {
            case eligibleEvents = "eligible_events", allowedBadEvents = "allowed_bad_events"
            case badEvents = "bad_events", remainingEvents = "remaining_events"
            case remainingFraction = "remaining_fraction"
        }
    }

    /// The SLI and burn rate over one window ending at the evaluation time.
    public struct WindowBurn: Sendable, Hashable, Codable {
        public var window: String
        public var sli: SLISample
        /// Bad fraction over the budget fraction (ratio SLIs with samples).
        public var burnRate: Double?
        /// The buckets the window was read from (`1m`, `1h`, `1d`): minutes while its start is within their
        /// reach, else hours or days, its start rounded down to one — so a window shorter than the buckets reads
        /// a bucket's worth. `nil` for SLIs that read no buckets (pipeline SLIs).
        public var resolution: String?

        /// Whether the window is shorter than (or not a multiple of) the buckets it was read from, so it read a
        /// longer span than its name says.
        public var isCoarsened: Bool {
            guard let text = resolution, let r = Resolution.allCases.first(where: { $0.text == text }),
                let length = try? Duration(window: window)
            else { return false }
            return length.milliseconds % r.milliseconds != 0
        }

        enum CodingKeys: String, CodingKey {
            case window, sli
            case burnRate = "burn_rate"
            case resolution
        }
    }

    /// One alert rule's condition at the evaluation time.
    public struct RuleCondition: Sendable, Hashable, Codable {
        public var rule: String
        public var severity: String
        /// The condition to start (or keep pending) an alert.
        public var fires: Bool
        /// The condition to keep a firing alert firing (the point value, without the confidence margin).
        public var holds: Bool
        public var reason: String
    }

    public var name: String
    public var model: String
    public var sli: String
    public var objective: String
    public var window: String
    public var at: Timestamp
    public var from: Timestamp
    public var verdict: Verdict
    /// Why the verdict is what it is, in a sentence.
    public var reason: String
    public var value: SLISample
    public var budget: Budget?
    public var burnRates: [WindowBurn]
    /// The burn rate used to project exhaustion: over the shortest alert window with enough samples.
    public var currentBurnRate: WindowBurn?
    /// Seconds until the budget is spent at the current burn rate; `nil` when nothing burns.
    public var timeToExhaustionSeconds: Double?
    public var conditions: [RuleCondition]

    enum CodingKeys: String, CodingKey {
        case name, model, sli, objective, window, at, from, verdict, reason, value, budget
        case burnRates = "burn_rates", currentBurnRate = "current_burn_rate"
        case timeToExhaustionSeconds = "time_to_exhaustion_seconds", conditions
    }
}

extension SLOStatus {
    /// Why some burn windows read more than their name says, or `nil`: e.g. `5m, 30m start before the minute
    /// buckets reach, so they were read from 1h buckets and span a whole one`.
    public var coarsenedNote: String? {
        let coarse = burnRates.filter(\.isCoarsened)
        guard !coarse.isEmpty else { return nil }
        let byResolution = Dictionary(grouping: coarse) { $0.resolution ?? "" }
        let parts = byResolution.keys.sorted().map { r in
            let windows = byResolution[r, default: []].map(\.window).joined(separator: ", ")
            return "\(windows) read \(r) buckets"
        }
        return parts.joined(separator: "; ")
            + ": their start is older than the finer buckets kept, so each spans whole buckets from the one it"
            + " starts in (burn rates over windows that short need recent data)"
    }
}
