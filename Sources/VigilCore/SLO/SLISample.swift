/// An SLI measured over one window: its value, the sample it stands on and, for proportions, a 95 %
/// Wilson interval; for label-based SLIs also the label coverage of the window.
public struct SLISample: Sendable, Hashable, Codable {
    /// `nil` when undefined (no samples, no reference for drift).
    public var value: Double?
    /// Eligible events: labeled predictions for a metric, present values for drift, rows for quality.
    public var n: Int64
    public var lower: Double?
    public var upper: Double?
    /// Predictions in the window, and the fraction of them labeled (label-based SLIs).
    public var predictions: Int64?
    public var labelCoverage: Double?

    public init(
        value: Double?, n: Int64, lower: Double? = nil, upper: Double? = nil, predictions: Int64? = nil,
        labelCoverage: Double? = nil
    ) {
        self.value = value
        self.n = n
        self.lower = lower
        self.upper = upper
        self.predictions = predictions
        self.labelCoverage = labelCoverage
    }

    /// A proportion `k / n` with its Wilson interval.
    public static func proportion(_ k: Int64, of n: Int64) -> SLISample {
        let v = MetricValue.proportion(k, of: n)
        return SLISample(value: v.value, n: n, lower: v.lower, upper: v.upper)
    }

    enum CodingKeys: String, CodingKey {
        case value, n, lower, upper, predictions
        case labelCoverage = "label_coverage"
    }
}

/// The error-budget view of a ratio SLI sample: bad events against the budget the objective allows.
///
/// For `>= t` the SLI is the good fraction, so the bad fraction is `1 − SLI` and the budget `1 − t`; for
/// `<= t` the SLI is itself the bad fraction and the budget is `t`. The burn rate is the bad fraction over
/// the budget: 1 spends the budget exactly over the window, 14.4 spends a 30-day budget in 50 hours.
public struct BudgetView: Sendable, Hashable {
    public var badFraction: Double
    /// The Wilson interval of the bad fraction.
    public var badLower: Double
    public var badUpper: Double
    public var budgetFraction: Double
    public var n: Int64

    public init?(_ sample: SLISample, objective: Objective) {
        guard let v = sample.value, sample.n > 0 else { return nil }
        let lo = sample.lower ?? v
        let hi = sample.upper ?? v
        switch objective.comparison {
        case .atLeast: (badFraction, badLower, badUpper, budgetFraction) = (1 - v, 1 - hi, 1 - lo, 1 - objective.target)
        case .atMost: (badFraction, badLower, badUpper, budgetFraction) = (v, lo, hi, objective.target)
        }
        n = sample.n
    }

    public var burnRate: Double { badFraction / budgetFraction }
    /// The burn rate the lower end of the interval supports: the burn we are confident of.
    public var confidentBurnRate: Double { badLower / budgetFraction }

    /// Bad events (rounded: the SLI is a ratio of counts).
    public var badEvents: Int64 { Int64((badFraction * Double(n)).rounded()) }
    /// Bad events the objective allows over these `n` eligible events.
    public var allowedBadEvents: Double { budgetFraction * Double(n) }
    /// Allowed minus bad events; negative once the budget is overspent.
    public var remainingEvents: Double { allowedBadEvents - Double(badEvents) }
    /// The budget left as a fraction of the allowance: 1 untouched, 0 spent, below 0 overspent.
    public var remainingFraction: Double { 1 - Double(badEvents) / allowedBadEvents }

    /// How long until the budget is spent if the window keeps burning at `burnRate`: a burn of 1 spends a
    /// whole budget over `window`. `nil` when nothing burns; zero when already spent.
    public func timeToExhaustion(window: Duration, burnRate: Double) -> Duration? {
        guard burnRate > 0 else { return nil }
        let left = max(0, remainingFraction)
        return .milliseconds(Int64((left * Double(window.milliseconds) / burnRate).rounded()))
    }
}
