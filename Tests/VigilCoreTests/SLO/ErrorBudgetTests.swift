import Testing

@testable import VigilCore

/// Budget, burn-rate and verdict math against hand-computed cases (Wilson bounds from the closed form,
/// checked in Python).
struct ErrorBudgetTests {
    @Test func atLeastObjectiveSpendsBadEvents() throws {
        // accuracy 850/1000 against >= 0.9: 150 bad events where 100 are allowed.
        let view = try #require(BudgetView(.proportion(850, of: 1000), objective: Objective(.atLeast, 0.9)))
        #expect(view.badEvents == 150)
        #expect(abs(view.allowedBadEvents - 100) < 1e-9)
        #expect(abs(view.remainingEvents - -50) < 1e-9)
        #expect(abs(view.remainingFraction - -0.5) < 1e-9)
        #expect(abs(view.burnRate - 1.5) < 1e-12)
        // Wilson upper bound of 850/1000 is 0.8707899274869118, so the confident bad fraction is 0.1292…
        #expect(abs(view.confidentBurnRate - 1.2921007251308825) < 1e-9)
        #expect(view.timeToExhaustion(window: .seconds(30 * 86_400), burnRate: 1.5) == .zero)
    }

    @Test func atMostObjectiveTreatsTheSLIAsTheBadFraction() throws {
        // missing rate 20/1000 against <= 0.05: 20 bad of 50 allowed.
        let view = try #require(BudgetView(.proportion(20, of: 1000), objective: Objective(.atMost, 0.05)))
        #expect(view.badEvents == 20)
        #expect(abs(view.allowedBadEvents - 50) < 1e-9)
        #expect(abs(view.remainingFraction - 0.6) < 1e-12)
        #expect(abs(view.burnRate - 0.4) < 1e-12)
        #expect(abs(view.confidentBurnRate - 0.012983682916415136 / 0.05) < 1e-9)
        // 60 % of a 30-day budget at 2× burn lasts 0.6 · 30 d / 2 = 9 days.
        #expect(view.timeToExhaustion(window: .seconds(30 * 86_400), burnRate: 2) == .seconds(9 * 86_400))
        #expect(view.timeToExhaustion(window: .seconds(30 * 86_400), burnRate: 0) == nil)
    }

    static let t = Timestamp(seconds: 1_700_000_000)

    static func slo(_ objective: Objective, minSamples: Int64 = 50, alerts: [AlertRule]? = nil) -> SLODefinition {
        SLODefinition(
            name: "acc", model: "m", sli: .metric("accuracy"), objective: objective, window: .seconds(7 * 86_400),
            minSamples: minSamples, alerts: alerts ?? [])
    }

    static func status(_ slo: SLODefinition, _ samples: [Int64: SLISample]) -> SLOStatus {
        SLOEvaluator(slo).evaluate(at: t) { from, to in samples[to.milliseconds - from.milliseconds]! }
    }

    static let week = Int64(7 * 86_400_000)

    @Test(arguments: [
        // 88/100: the point misses >= 0.9, but the interval [0.80, 0.93] still reaches it.
        (SLISample.proportion(88, of: 100), SLOStatus.Verdict.atRisk),
        // 850/1000: the whole interval [0.827, 0.871] is below 0.9.
        (.proportion(850, of: 1000), .breached),
        (.proportion(950, of: 1000), .ok),
        (.proportion(40, of: 40), .insufficientData),
    ])
    func verdicts(sample: SLISample, expected: SLOStatus.Verdict) {
        let s = Self.status(Self.slo(Objective(.atLeast, 0.9)), [Self.week: sample])
        #expect(s.verdict == expected, "\(s.reason)")
    }

    @Test func lowLabelCoverageIsNotHealthy() {
        var sample = SLISample.proportion(990, of: 1000)
        sample.predictions = 33_000
        sample.labelCoverage = 0.03
        let s = Self.status(Self.slo(Objective(.atLeast, 0.9)), [Self.week: sample])
        #expect(s.verdict == .insufficientData)
        #expect(s.reason.contains("3% of predictions are labeled"))
    }

    static let ticket = AlertRule(
        name: "ticket", severity: "ticket", burnRate: 1, longWindow: .seconds(3 * 86_400),
        shortWindow: .seconds(6 * 3600))
    static let long = Int64(3 * 86_400_000)
    static let short = Int64(6 * 3_600_000)

    static func ticketCondition(long: SLISample, short: SLISample) -> SLOStatus.RuleCondition {
        let slo = slo(Objective(.atLeast, 0.7), minSamples: 100, alerts: [ticket])
        return status(slo, [week: .proportion(700, of: 1000), Self.long: long, Self.short: short]).conditions[0]
    }

    @Test func burnRateRuleNeedsConfidenceToStart() {
        // 60/100 against a 0.3 budget: point burn 1.33×, Wilson-confident burn (1 − 0.6906)/0.3 = 1.031×.
        let c = Self.ticketCondition(long: .proportion(60, of: 100), short: .proportion(3, of: 5))
        #expect(c.fires && c.holds, "\(c.reason)")
        // 65/100: point burn 1.17× but the interval allows 0.86×: keeps a firing alert, starts none.
        let weak = Self.ticketCondition(long: .proportion(65, of: 100), short: .proportion(3, of: 5))
        #expect(!weak.fires && weak.holds, "\(weak.reason)")
        // Too few samples in the long window.
        let few = Self.ticketCondition(long: .proportion(30, of: 60), short: .proportion(3, of: 5))
        #expect(!few.fires && few.holds)
    }

    @Test func shortWindowWithEnoughSamplesVetoes() {
        // 45/50 good over 6 h burns 0.33×: the problem is over.
        let c = Self.ticketCondition(long: .proportion(60, of: 100), short: .proportion(45, of: 50))
        #expect(!c.fires && !c.holds)
    }

    @Test func exhaustionUsesTheShortestAlertWindowWithEnoughSamples() throws {
        let slo = Self.slo(Objective(.atLeast, 0.7), minSamples: 100, alerts: [Self.ticket])
        // SLO window: 250 bad of 1000 (300 allowed): 1/6 of the budget left; 3 d burns at 1.2×.
        let s = Self.status(
            slo,
            [
                Self.week: .proportion(750, of: 1000), Self.long: .proportion(64, of: 100),
                Self.short: .proportion(1, of: 2),
            ])
        let budget = try #require(s.budget)
        #expect(budget.badEvents == 250)
        #expect(abs(budget.remainingFraction - 1.0 / 6) < 1e-12)
        #expect(s.currentBurnRate?.window == "3d")
        // (1/6) · 7 d / 1.2 = 0.9722 d.
        let expected = 1.0 / 6 * 7 * 86_400 / 1.2
        #expect(abs((s.timeToExhaustionSeconds ?? 0) - expected) < 1e-3)
    }

    @Test func thresholdRuleWaitsForItsDuration() throws {
        var slo = SLODefinition(
            name: "psi", model: "m", sli: .drift(column: "x", statistic: .psi), objective: Objective(.atMost, 0.2),
            window: .seconds(86_400), minSamples: 30, for: .seconds(600))
        slo.alerts = nil
        var tracker = AlertTracker()
        func step(_ minutes: Int64, psi: Double) -> [AlertTransition] {
            let t = Self.t + .seconds(minutes * 60)
            let status = SLOEvaluator(slo).evaluate(at: t) { _, _ in SLISample(value: psi, n: 500) }
            return tracker.update(slo, status, at: t) { nil }
        }
        #expect(step(0, psi: 0.35).map(\.to) == [.pending])
        #expect(step(5, psi: 0.31).isEmpty)
        let fired = step(10, psi: 0.33)
        #expect(fired.map(\.to) == [.firing] && fired[0].notifies)
        #expect(fired[0].alert.activeSince == Self.t && fired[0].alert.firedAt == Self.t + .seconds(600))
        #expect(step(15, psi: 0.4).isEmpty)  // deduplicated: still the same firing alert
        let resolved = step(20, psi: 0.1)
        #expect(resolved.map(\.to) == [.resolved] && resolved[0].notifies && resolved[0].from == .firing)
        #expect(tracker.active.isEmpty)
        // A pending alert whose condition stops resolves quietly.
        _ = step(30, psi: 0.5)
        let quiet = step(35, psi: 0.1)
        #expect(quiet.map(\.to) == [.resolved] && !quiet[0].notifies && quiet[0].alert.firedAt == nil)
    }

    @Test func deletedRulesResolve() {
        let slo = Self.slo(Objective(.atLeast, 0.7), minSamples: 100, alerts: [Self.ticket])
        var tracker = AlertTracker()
        let s = Self.status(
            slo,
            [
                Self.week: .proportion(600, of: 1000), Self.long: .proportion(60, of: 100),
                Self.short: .proportion(0, of: 0),
            ])
        #expect(tracker.update(slo, s, at: Self.t) { nil }.map(\.to) == [.firing])
        let gone = tracker.retain([], at: Self.t + .seconds(60))
        #expect(gone.map(\.to) == [.resolved] && gone[0].notifies)
    }
}
