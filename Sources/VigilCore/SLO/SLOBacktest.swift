/// Replays recorded history step by step and evaluates an SLO and its alert rules at every step, using only
/// the predictions made and the feedback arrived by then — what the alert loop would have seen live.
///
/// ```swift
/// var cursor = ReplayCursor(predictions: ps, feedback: fs)
/// let result = try SLOBacktest(slo).run(&cursor, into: Engine(), from: a, to: b, step: .seconds(3600))
/// result.transitions  // when each alert would have gone pending, firing, resolved
/// ```
public struct SLOBacktest: Sendable {
    /// One evaluation step.
    public struct Point: Sendable, Hashable, Codable {
        public var at: Timestamp
        public var verdict: SLOStatus.Verdict
        public var value: SLISample
        public var budgetRemaining: Double?
        /// Burn rate per window (ratio SLIs).
        public var burnRates: [String: Double]
        /// Rules whose alert was firing after this step.
        public var firing: [String]

        enum CodingKeys: String, CodingKey {
            case at, verdict, value, budgetRemaining = "budget_remaining", burnRates = "burn_rates", firing
        }
    }

    public struct Result: Sendable, Hashable, Codable {
        public var slo: String
        public var from: Timestamp
        public var to: Timestamp
        public var step: String
        public var points: [Point]
        public var transitions: [AlertTransition]
        /// Rules that can never fire under this objective, and similar advice.
        public var warnings: [String]
    }

    /// Steps beyond this are refused: a 30-day backtest at one-minute steps is 43,200.
    public static let maxSteps = 50_000

    public let slo: SLODefinition
    public var inputs: SLIInputs

    public init(_ slo: SLODefinition, inputs: SLIInputs = SLIInputs()) {
        self.slo = slo
        self.inputs = inputs
    }

    /// Evaluates at `from`, `from + step`, … up to and including `to`.
    ///
    /// - Parameters:
    ///   - cursor: the recorded events; everything before `from` is replayed before the first step.
    ///   - engine: the starting state (empty, or with custom metric definitions applied).
    public func run(
        _ cursor: inout ReplayCursor, into engine: Engine, from: Timestamp, to: Timestamp, step: Duration
    ) throws(SLOError) -> Result {
        var run = try start(from: from, to: to, step: step)
        var engine = engine
        var replay = EventReplay.Result()
        for t in run.times {
            cursor.advance(through: t, into: &engine, result: &replay)
            try run.evaluate(engine, at: t)
        }
        return run.result
    }

    /// A backtest fed step by step, for callers that replay history themselves (from a checkpoint).
    public struct Run: Sendable {
        let backtest: SLOBacktest
        var tracker = AlertTracker()
        /// The evaluation times, ascending.
        public let times: [Timestamp]
        public private(set) var result: Result

        /// Evaluates the state `engine` holds after replaying everything at or before `t`.
        public mutating func evaluate(_ engine: borrowing Engine, at t: Timestamp) throws(SLOError) {
            let slo = backtest.slo
            let inputs = backtest.inputs
            let status: SLOStatus
            do {
                status = try engine.evaluate(slo, at: t, inputs: inputs)
            } catch {
                throw SLOError(.invalidSLI, field: "sli", error.message)
            }
            let changes = tracker.update(slo, status, at: t) { engine.alertContext(slo, status, inputs: inputs) }
            result.transitions += changes
            result.points.append(backtest.point(status, tracker, t))
        }
    }

    /// Checks the range and step, and returns a run over `from`, `from + step`, … up to and including `to`.
    public func start(from: Timestamp, to: Timestamp, step: Duration) throws(SLOError) -> Run {
        guard step > .zero else { throw SLOError(.invalidWindow, field: "step", "step must be positive") }
        guard from <= to else { throw SLOError(.invalidWindow, field: "from", "'from' must not be after 'to'") }
        let steps = (to.milliseconds - from.milliseconds) / step.milliseconds + 1
        guard steps <= Self.maxSteps else {
            throw SLOError(
                .invalidWindow, field: "step",
                "\(steps) steps from \(from) to \(to); at most \(Self.maxSteps): use a longer step")
        }
        let times = (0..<steps).map { from + step * Int($0) }
        let result = Result(
            slo: slo.name, from: from, to: to, step: step.windowText, points: [], transitions: [],
            warnings: slo.warnings)
        return Run(backtest: self, times: times, result: result)
    }

    private func point(_ status: SLOStatus, _ tracker: AlertTracker, _ t: Timestamp) -> Point {
        var burns: [String: Double] = [:]
        for b in status.burnRates { if let r = b.burnRate { burns[b.window] = r } }
        let firing = tracker.active.values.filter { $0.slo == slo.name && $0.state == .firing }.map(\.rule).sorted()
        return Point(
            at: t, verdict: status.verdict, value: status.value, budgetRemaining: status.budget?.remainingFraction,
            burnRates: burns, firing: firing)
    }
}
