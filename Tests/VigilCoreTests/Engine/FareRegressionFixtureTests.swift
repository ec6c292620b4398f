import Testing
import VigilCore

/// The fare regression model against scikit-learn's numbers in `expected.json`.
struct FareRegressionFixtureTests {
    // Decoded JSON is never mutated after this lazy initialisation, so sharing it across tests is safe.
    nonisolated(unsafe) static let expected = Fixture.expected("fare-regression")
    static let engine = try! Fixture.engine(Fixture.fareRegressionPredictions(), Fixture.feedback("fare-regression"))

    @Test func overall() throws {
        let report = try Self.engine.metrics(model: "fare")
        #expect(report.task == .regression)
        expectMatches(report, Self.expected["overall"] as! [String: Any], "overall")
    }

    @Test func everyDay() throws {
        for (day, expected) in Self.expected["by_day"] as! [String: Any] {
            let from = Fixture.time(day + "T00:00:00Z")
            let report = try Self.engine.metrics(model: "fare", window: .range(from: from, to: from + .seconds(86_400)))
            expectMatches(report, expected as! [String: Any], day)
        }
    }

    @Test(arguments: ["before_drift", "after_drift"])
    func windows(name: String) throws {
        let expected = (Self.expected["windows"] as! [String: Any])[name] as! [String: Any]
        let window = Window.range(
            from: Fixture.time(expected["from"] as! String), to: Fixture.time(expected["to"] as! String))
        expectMatches(try Self.engine.metrics(model: "fare", window: window), expected, name)
    }

    @Test func correctionsReplaceWrongFares() {
        let f = Self.expected["feedback"] as! [String: Any]
        #expect(Self.engine.statistics.corrections == Int(number(f["corrected_ids"])!))
        #expect(Self.engine.statistics.labelsApplied == Int(number(f["labeled_ids"])!))
    }
}
