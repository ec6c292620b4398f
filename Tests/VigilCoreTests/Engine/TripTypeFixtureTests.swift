import Testing
import VigilCore

/// The 3-class trip-type classifier against scikit-learn's numbers in `expected.json`.
struct TripTypeFixtureTests {
    // Decoded JSON is never mutated after this lazy initialisation, so sharing it across tests is safe.
    nonisolated(unsafe) static let expected = Fixture.expected("trip-type-multiclass")
    static let engine = try! Fixture.engine(Fixture.tripTypePredictions(), Fixture.feedback("trip-type-multiclass"))

    @Test func overall() throws {
        let report = try Self.engine.metrics(model: "trip-type")
        #expect(report.task == .multiclass)
        if case .multiclass(let classes, _)? = report.confusion { #expect(classes == Fixture.tripClasses) }
        expectMatches(report, Self.expected["overall"] as! [String: Any], "overall")
    }

    @Test func everyDay() throws {
        try expectEveryDay(Self.engine, model: "trip-type", Self.expected["by_day"] as! [String: Any])
    }

    @Test(arguments: ["before_drift", "after_drift"])
    func windows(name: String) throws {
        let block = (Self.expected["windows"] as! [String: Any])[name] as! [String: Any]
        try expectWindow(Self.engine, model: "trip-type", block, name)
    }

    /// The prediction column is the argmax of the scores; a prediction without one gets the same class.
    @Test func missingPredictionIsTheArgmaxWithEarlierClassWinningTies() throws {
        var engine = Engine()
        let t = Fixture.time("2020-02-01T00:00:00Z")
        try engine.ingest(
            Prediction(
                id: "a", time: t, model: "m",
                score: .classes([ClassScore("x", 0.4), ClassScore("y", 0.4), ClassScore("z", 0.2)])))
        try engine.ingest(Feedback(id: "a", time: t, label: .category("x")))
        #expect(try engine.metrics(model: "m", names: ["accuracy"])["accuracy"]?.value == 1)
    }
}
