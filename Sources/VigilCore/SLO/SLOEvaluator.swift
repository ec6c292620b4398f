/// Evaluates one SLO at one time from SLI samples over windows ending then.
///
/// The samples come from a closure, so the budget, burn-rate and verdict logic is tested with
/// hand-made samples, and the engine, a backtest or an as-of rebuild all feed it the same way:
///
/// ```swift
/// let status = try SLOEvaluator(slo).evaluate(at: now) { from, to in
///     try engine.sample(slo, from: from, to: to, now: now, inputs: inputs)
/// }
/// ```
///
/// Burn-rate rules start an alert when the long window has `min_samples` and the *lower* end of its bad
/// fraction's Wilson interval burns at least `burn_rate` times the budget — noise cannot page — and the
/// short window, when it has enough samples to speak, burns as fast too. A firing alert keeps firing while
/// the point burn rates stay at or above the factor, so it does not flap at the edge of confidence.
public struct SLOEvaluator: Sendable {
    public let slo: SLODefinition

    public init(_ slo: SLODefinition) { self.slo = slo }

    /// - Parameters:
    ///   - resolution: the bucket width a window starting at a time is read from (`nil`: no buckets).
    public func evaluate<E: Error>(
        at t: Timestamp, resolution: (Timestamp) -> Resolution? = { _ in nil },
        sample: (Timestamp, Timestamp) throws(E) -> SLISample
    ) throws(E) -> SLOStatus {
        var cache: [Int64: SLISample] = [:]
        func over(_ d: Duration) throws(E) -> SLISample {
            if let s = cache[d.milliseconds] { return s }
            let s = try sample(t - d, t)
            cache[d.milliseconds] = s
            return s
        }
        let main = try over(slo.window)
        var conditions: [SLOStatus.RuleCondition] = []
        for rule in slo.rules {
            conditions.append(try condition(rule, over))
        }
        var windows = Set(slo.rules.flatMap { [$0.longWindow, $0.shortWindow].compactMap { $0 } })
        windows.insert(slo.window)
        var burns: [SLOStatus.WindowBurn] = []
        for w in windows.sorted() {
            var b = burn(w, try over(w))
            b.resolution = resolution(t - w)?.text
            burns.append(b)
        }
        var status = SLOStatus(
            name: slo.name, model: slo.model, sli: slo.sli.description, objective: slo.objective.description,
            window: slo.window.windowText, at: t, from: t - slo.window, verdict: .ok, reason: "",
            value: main, budget: budget(main), burnRates: burns, currentBurnRate: nil,
            timeToExhaustionSeconds: nil, conditions: conditions)
        (status.verdict, status.reason) = verdict(main, conditions)
        project(&status, main)
        return status
    }

    // MARK: - Budget and burn

    func budget(_ s: SLISample) -> SLOStatus.Budget? {
        guard slo.sli.isRatio, let v = BudgetView(s, objective: slo.objective) else { return nil }
        return SLOStatus.Budget(
            eligibleEvents: v.n, allowedBadEvents: v.allowedBadEvents, badEvents: v.badEvents,
            remainingEvents: v.remainingEvents, remainingFraction: v.remainingFraction)
    }

    func burn(_ w: Duration, _ s: SLISample) -> SLOStatus.WindowBurn {
        let view = slo.sli.isRatio ? BudgetView(s, objective: slo.objective) : nil
        return SLOStatus.WindowBurn(window: w.windowText, sli: s, burnRate: view?.burnRate)
    }

    /// Exhaustion at the burn of the shortest alert window that has `min_samples` (else the SLO window).
    private func project(_ status: inout SLOStatus, _ main: SLISample) {
        guard slo.sli.isRatio, let view = BudgetView(main, objective: slo.objective) else { return }
        let alertWindows = Set(slo.rules.compactMap(\.longWindow).map(\.windowText))
        let current =
            status.burnRates.first { alertWindows.contains($0.window) && $0.sli.n >= slo.minSamples }
            ?? status.burnRates.first { $0.window == slo.window.windowText }
        status.currentBurnRate = current
        if let rate = current?.burnRate, let left = view.timeToExhaustion(window: slo.window, burnRate: rate) {
            status.timeToExhaustionSeconds = Double(left.milliseconds) / 1000
        }
    }

    // MARK: - Rules

    func condition<E: Error>(_ rule: AlertRule, _ over: (Duration) throws(E) -> SLISample) throws(E)
        -> SLOStatus.RuleCondition
    {
        let minN = rule.minSamples ?? slo.minSamples
        var c = SLOStatus.RuleCondition(
            rule: rule.name, severity: rule.severity, fires: false, holds: false, reason: "")
        if let factor = rule.burnRate, let longWindow = rule.longWindow {
            let long = try over(longWindow)
            guard let view = BudgetView(long, objective: slo.objective) else {
                c.reason = "no samples over \(longWindow.windowText)"
                return c
            }
            var shortBurning = true
            var shortNote = ""
            if let shortWindow = rule.shortWindow {
                let short = try over(shortWindow)
                if short.n >= rule.shortMinSamples(minN), let s = BudgetView(short, objective: slo.objective) {
                    shortBurning = s.burnRate >= factor
                    shortNote = ", \(Self.format(s.burnRate))× over \(shortWindow.windowText)"
                } else {
                    shortNote = ", \(shortWindow.windowText) has too few samples (\(short.n)) to veto"
                }
            }
            c.holds = view.burnRate >= factor && shortBurning
            c.fires = long.n >= minN && view.confidentBurnRate >= factor && shortBurning
            c.reason =
                "burn \(Self.format(view.burnRate))× (≥ \(Self.format(view.confidentBurnRate))× at 95%) over \(longWindow.windowText) with n=\(long.n)\(shortNote); fires at \(Self.format(factor))×"
            if long.n < minN { c.reason += "; needs n ≥ \(minN)" }
            return c
        }
        let window = rule.longWindow ?? slo.window
        let s = try over(window)
        guard let value = s.value else {
            c.reason = "no value over \(window.windowText)"
            return c
        }
        if case .candidateWorse = slo.sli { return comparisonCondition(c, s, value, window, minN) }
        c.holds = !slo.objective.isMet(by: value)
        let enough = slo.sli.isStaleness || s.n >= minN
        c.fires = enough && c.holds && !straddles(s)
        c.reason =
            "\(slo.sli) = \(Self.format(value)) over \(window.windowText) (n=\(s.n)), objective \(slo.objective)"
        if !enough {
            c.reason += "; needs n ≥ \(minN)"
        } else if c.holds && straddles(s) {
            c.reason += "; the 95% interval still reaches the objective"
        }
        return c
    }

    /// A comparison fires when the always-valid interval shows the candidate `worse` (a loss, not shown to be
    /// within the margin), and keeps firing while it still shows a loss.
    func comparisonCondition(
        _ condition: SLOStatus.RuleCondition, _ s: SLISample, _ value: Double, _ window: Duration, _ minN: Int64
    ) -> SLOStatus.RuleCondition {
        var c = condition
        let (lower, upper) = (s.lower ?? value, s.upper ?? value)
        let decided = ComparisonVerdict.decide(lower: lower, upper: upper, margin: slo.margin)
        c.holds = upper < 0
        c.fires = s.n >= minN && decided == .worse
        c.reason = "\(comparisonText(s, value)) over \(window.windowText): \(decided.rawValue) at margin \(Self.format(slo.margin))"
        if s.n < minN { c.reason += "; needs n ≥ \(minN)" }
        return c
    }

    /// `v2 against v1: recall improvement -0.29 (always-valid 95% [-0.39, -0.19], n=908)`.
    func comparisonText(_ s: SLISample, _ value: Double) -> String {
        guard case .candidateWorse(let metric) = slo.sli else { return "\(slo.sli) = \(Self.format(value))" }
        let interval = s.lower.map { "always-valid 95% [\(Self.format($0)), \(Self.format(s.upper ?? $0))], " } ?? ""
        return
            "\(slo.version ?? "?") against \(slo.baseline ?? "?"): \(metric) improvement \(Self.format(value)) (\(interval)n=\(s.n))"
    }

    func comparisonVerdict(_ s: SLISample, _ value: Double) -> (SLOStatus.Verdict, String) {
        let text = comparisonText(s, value)
        switch ComparisonVerdict.decide(lower: s.lower ?? value, upper: s.upper ?? value, margin: slo.margin) {
        case .worse: return (.breached, "\(text): worse, by more than the margin \(Self.format(slo.margin)) allows")
        case .undecided where value < -slo.margin:
            return (.atRisk, "\(text): looks worse than the margin \(Self.format(slo.margin)), not yet shown")
        case .undecided: return (.ok, "\(text): not decided yet")
        case .noWorse: return (.ok, "\(text): no worse (within the margin \(Self.format(slo.margin)))")
        case .better: return (.ok, "\(text): better")
        }
    }

    /// True when the sample's interval reaches the objective, so the miss may be noise.
    func straddles(_ s: SLISample) -> Bool {
        guard let lo = s.lower, let hi = s.upper else { return false }
        return lo <= slo.objective.target && slo.objective.target <= hi
    }

    // MARK: - Verdict

    func verdict(_ s: SLISample, _ conditions: [SLOStatus.RuleCondition]) -> (SLOStatus.Verdict, String) {
        let firing = conditions.filter(\.fires).map(\.rule)
        guard let value = s.value else {
            return (.insufficientData, "\(slo.sli) has no value over the last \(slo.window.windowText)")
        }
        if !slo.sli.isStaleness, s.n < slo.minSamples {
            return (
                .insufficientData,
                "\(s.n) samples over the last \(slo.window.windowText), fewer than min_samples \(slo.minSamples)"
            )
        }
        if slo.sli.needsLabels, let coverage = s.labelCoverage, coverage < slo.minLabelCoverage {
            return (
                .insufficientData,
                "only \(Self.percent(coverage)) of predictions are labeled, below min_label_coverage \(Self.percent(slo.minLabelCoverage))"
            )
        }
        if case .candidateWorse = slo.sli { return comparisonVerdict(s, value) }
        let text = "\(slo.sli) = \(Self.format(value)) (n=\(s.n))"
        if !slo.objective.isMet(by: value) {
            if straddles(s) {
                return (.atRisk, "\(text) misses \(slo.objective), but the 95% interval still reaches it")
            }
            return (.breached, "\(text) misses \(slo.objective)")
        }
        if !firing.isEmpty {
            return (.atRisk, "\(text) meets \(slo.objective), but alert rule \(firing.joined(separator: ", ")) fires")
        }
        return (.ok, "\(text) meets \(slo.objective)")
    }

    static func format(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        let r = (x * 10_000).rounded() / 10_000
        return r == r.rounded() && abs(r) < 1e15 ? String(Int64(r)) : "\(r)"
    }

    static func percent(_ x: Double) -> String { "\(format(x * 100))%" }
}
