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
        try expectEveryDay(Self.engine, model: "fare", Self.expected["by_day"] as! [String: Any])
    }

    @Test(arguments: ["before_drift", "after_drift"])
    func windows(name: String) throws {
        let block = (Self.expected["windows"] as! [String: Any])[name] as! [String: Any]
        try expectWindow(Self.engine, model: "fare", block, name)
    }

    @Test func correctionsReplaceWrongFares() {
        let f = Self.expected["feedback"] as! [String: Any]
        #expect(Self.engine.statistics.corrections == Int(number(f["corrected_ids"])!))
        #expect(Self.engine.statistics.labelsApplied == Int(number(f["labeled_ids"])!))
    }
}
