import Foundation
import Testing

@testable import VigilCore

struct SLODefinitionTests {
    @Test(arguments: [(">= 0.9", Objective.Comparison.atLeast, 0.9), ("<=0.2", .atMost, 0.2), ("≥ 0.5", .atLeast, 0.5)])
    func objectives(text: String, comparison: Objective.Comparison, target: Double) throws {
        let o = try Objective(parsing: text)
        #expect(o.comparison == comparison && o.target == target)
    }

    @Test(arguments: ["> 0.9", "0.9", ">= high", ""])
    func badObjectives(text: String) {
        #expect(throws: SLOError.self) { try Objective(parsing: text) }
    }

    @Test func sliKinds() throws {
        #expect(try SLI(parsing: "recall") == .metric("recall"))
        #expect(try SLI(parsing: "drift.trip_distance.psi") == .drift(column: "trip_distance", statistic: .psi))
        #expect(
            try SLI(parsing: "quality.passenger_count.missing_rate")
                == .quality(column: "passenger_count", measure: .missingRate))
        #expect(try SLI(parsing: "freshness") == .freshness)
        #expect(try SLI(parsing: "recall").isRatio && !(try SLI(parsing: "roc_auc").isRatio))
        let error = #expect(throws: SLOError.self) { try SLI(parsing: "drift.fare.bogus") }
        #expect(error?.message.contains("psi") == true)
    }

    @Test func decodesDurationsAndRules() throws {
        let json = """
            {"model": "taxi-tip", "sli": "recall", "objective": ">= 0.8", "window": "30d", "owner": "ml-team",
             "labels": {"team": "pricing"}, "segment": "payment_type:card",
             "alerts": [{"name": "fast", "severity": "page", "burn_rate": 2, "long_window": "1d", "short_window": "2h"}]}
            """
        var slo = try JSONDecoder().decode(SLODefinition.self, from: Data(json.utf8))
        slo.name = "recall"
        try slo.validate()
        #expect(slo.window == .seconds(30 * 86_400))
        #expect(slo.segment == Segment(key: "payment_type", value: "card"))
        #expect(slo.rules.count == 1 && slo.rules[0].shortWindow == .seconds(7200))
        let again = try JSONDecoder().decode(SLODefinition.self, from: JSONEncoder().encode(slo))
        #expect(again == slo)
    }

    @Test func invalidDefinitionsNameTheField() {
        let noBudget = SLODefinition(name: "a", model: "m", sli: .metric("accuracy"), objective: Objective(.atLeast, 1))
        #expect(throws: SLOError.self) { try noBudget.validate() }
        let burnOnDrift = SLODefinition(
            name: "d", model: "m", sli: .drift(column: "x", statistic: .psi), objective: Objective(.atMost, 0.2),
            alerts: [AlertRule(name: "b", severity: "page", burnRate: 2, longWindow: .seconds(3600))])
        let error = #expect(throws: SLOError.self) { try burnOnDrift.validate() }
        #expect(error?.field == "alerts[0].burn_rate")
        let badName = SLODefinition(name: "a b", model: "m", sli: .freshness, objective: Objective(.atMost, 60))
        #expect((#expect(throws: SLOError.self) { try badName.validate() })?.field == "name")
    }

    @Test func unreachableBurnRatesAreWarned() {
        // Budget 0.3 allows at most a 3.33× burn: the 14.4× and 6× page rules can never fire.
        let slo = SLODefinition(name: "a", model: "m", sli: .metric("accuracy"), objective: Objective(.atLeast, 0.7))
        #expect(slo.warnings.count == 2)
        #expect(slo.warnings[0].contains("3.33×"))
        let strict = SLODefinition(
            name: "a", model: "m", sli: .metric("accuracy"), objective: Objective(.atLeast, 0.999))
        #expect(strict.warnings.isEmpty)
    }

    @Test func freshnessMeasuresSecondsSinceTheLastPrediction() throws {
        var engine = Engine()
        let t = Timestamp(seconds: 1_700_000_000)
        _ = try engine.ingest(
            Prediction(id: "a", time: t, model: "m", version: "v1", score: .probability(0.8), prediction: .number(1)))
        let slo = SLODefinition(
            name: "fresh", model: "m", sli: .freshness, objective: Objective(.atMost, 3600), window: .seconds(86_400))
        let late = try engine.evaluate(slo, at: t + .seconds(7200))
        #expect(late.value.value == 7200)
        #expect(late.verdict == .breached)
        #expect(late.conditions.first?.fires == true)
        #expect(try engine.evaluate(slo, at: t + .seconds(60)).verdict == .ok)
        // A model with no predictions yet has no data rather than an error.
        var other = slo
        other.model = "unknown"
        #expect(try engine.evaluate(other, at: t).verdict == .insufficientData)
    }
}
