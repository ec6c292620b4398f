import Testing

@testable import VigilCore

/// Backtests on the taxi fixture: hourly steps over February, each seeing only the feedback arrived by then.
/// Expected times come from `Tests/Reference/taxi_slo_backtest.py` (pandas, straight from the CSVs).
struct TaxiBacktestTests {
    static func predictions() -> [Prediction] {
        TaxiProfiles.predictions().map { p in
            var p = p
            if case .string(let payment) = p.features["payment_type"] { p.segments = ["payment_type": payment] }
            return p
        }
    }

    static let from = Fixture.time("2020-02-01T00:00:00Z")

    static func run(_ slo: SLODefinition, to: String, inputs: SLIInputs = SLIInputs()) throws -> SLOBacktest.Result {
        try slo.validate()
        var cursor = ReplayCursor(predictions: predictions(), feedback: Fixture.feedback("taxi"))
        return try SLOBacktest(slo, inputs: inputs).run(
            &cursor, into: Engine(), from: from, to: Fixture.time(to), step: .seconds(3600))
    }

    @Test func accuracyAlertFiresOnlyOnceLabelsShowTheLastWeekDrop() throws {
        let slo = SLODefinition(
            name: "taxi-accuracy", model: "taxi-tip", sli: .metric("accuracy"), objective: Objective(.atLeast, 0.70),
            window: .seconds(7 * 86_400), minSamples: 200, owner: "pricing-ml", version: "v1")
        let result = try Self.run(
            slo, to: "2020-03-02T00:00:00Z", inputs: SLIInputs(reference: TaxiProfiles.reference()))
        // The 14.4× and 6× page rules cannot fire with a 0.3 budget (largest burn 3.33×): said, not hidden.
        #expect(result.warnings.count == 2)

        // One transition: the 3-day ticket fires on Feb 25 13:00, once 1,073 labels of the window from
        // Feb 22 13:00 had arrived (accuracy 0.6701, pandas); the first three weeks fire nothing.
        #expect(result.transitions.count == 1)
        let fired = try #require(result.transitions.first)
        #expect(fired.to == .firing && fired.alert.rule == "ticket-3d" && fired.alert.severity == "ticket")
        #expect(fired.at == Fixture.time("2020-02-25T13:00:00Z"))
        let context = try #require(fired.alert.context)
        let threeDays = try #require(context.burnRates.first { $0.window == "3d" })
        #expect(threeDays.sli.n == 1073)
        expectRelative(threeDays.sli.value, 0.6700838769804287, 1e-12, "3-day accuracy at firing")
        expectRelative(threeDays.burnRate, (1 - 0.6700838769804287) / 0.3, 1e-9, "3-day burn rate")
        // The context names the drifted inputs and the worst payment types over the SLO window.
        #expect(context.topDriftedColumns.map(\.column).contains("trip_distance"))
        #expect(!context.worstSegments.isEmpty)
        #expect(context.worstSegments.map { $0.value ?? 0 } == context.worstSegments.map { $0.value ?? 0 }.sorted())

        // Until the drop, the SLO was healthy or short of labels, never breached.
        let before = result.points.filter { $0.at < Fixture.time("2020-02-23T00:00:00Z") }
        #expect(!before.contains { $0.verdict == .breached })
        #expect(before.allSatisfy { $0.firing.isEmpty })
        // At the start nothing is labeled yet: no verdict on no evidence.
        #expect(result.points[0].verdict == .insufficientData)
        #expect(result.points.last?.verdict == .breached)
        #expect(result.points.last?.firing == ["ticket-3d"])
    }

    @Test func driftAlertFiresWhenTheInputsShift() throws {
        let slo = SLODefinition(
            name: "trip-distance-drift", model: "taxi-tip", sli: .drift(column: "trip_distance", statistic: .psi),
            objective: Objective(.atMost, 0.2), window: .seconds(86_400), minSamples: 200)
        let result = try Self.run(
            slo, to: "2020-02-20T00:00:00Z", inputs: SLIInputs(reference: TaxiProfiles.reference()))
        // PSI over the last day first passes 0.2 at Feb 18 19:00 with 672 values (0.2186, numpy); the 43-value
        // window at Feb 1 02:00 (PSI 0.78) is below min_samples and stays quiet.
        #expect(result.transitions.map(\.to) == [.firing])
        #expect(result.transitions.first?.at == Fixture.time("2020-02-18T19:00:00Z"))
        let point = try #require(result.points.first { $0.at == Fixture.time("2020-02-18T19:00:00Z") })
        #expect(point.value.n == 672)
        expectRelative(point.value.value, 0.21863036851111162, 1e-9, "PSI at firing")
    }

    @Test func versionsSeenAreReported() throws {
        var engine = Engine()
        for p in Fixture.taxiPredictions() { _ = try engine.ingest(p) }
        let seen = engine.versionsSeen("taxi-tip")
        #expect(seen.map(\.version) == ["v1", "v2"])
        #expect(seen[0].firstSeen == Fixture.time("2020-02-01T00:00:00Z"))
        // The first v2 prediction is p009576 at 2020-02-15T01:19:52Z: reported to its hour.
        #expect(seen[1].firstSeen == Fixture.time("2020-02-15T01:00:00Z"))
    }
}
