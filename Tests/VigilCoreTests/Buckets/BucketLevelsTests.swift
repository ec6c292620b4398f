import Testing
import VigilCore

/// An engine told which bucket edges it will be asked about keeps no finer buckets, and answers those
/// questions exactly as an engine that keeps them all (`EngineConfiguration.keepingBuckets(from:)`, which
/// `vigil replay` uses).
struct BucketLevelsTests {
    static let predictions = Fixture.taxiPredictions()
    static let feedback = Fixture.feedback("taxi")
    static let full = try! Fixture.engine(predictions, feedback)

    static func engine(keeping finest: Resolution) throws -> Engine {
        try Fixture.engine(predictions, feedback) { engine in
            engine = Engine(configuration: EngineConfiguration().keepingBuckets(from: finest))
        }
    }

    @Test func coarsestResolutionAligningEdges() {
        let day = Resolution.day.milliseconds
        let hour = Resolution.hour.milliseconds
        #expect(Resolution.coarsest(aligning: [18_000 * day, 7 * day, -3 * day]) == .day)
        #expect(Resolution.coarsest(aligning: [18_000 * day, 5 * hour]) == .hour)
        #expect(Resolution.coarsest(aligning: [18_000 * day, 90_000]) == .minute)
        #expect(Resolution.coarsest(aligning: []) == .day)
    }

    @Test func dayBucketsAloneAnswerEveryDayAsTheFixtureExpects() throws {
        let engine = try Self.engine(keeping: .day)
        try expectEveryDay(engine, model: "taxi-tip", Fixture.expected("taxi")["by_day"] as! [String: Any])
        let from = Fixture.time("2020-02-01T00:00:00Z")
        let to = Fixture.time("2020-03-01T00:00:00Z")
        let daily = try engine.metricSeries(model: "taxi-tip", from: from, to: to, step: .seconds(86_400))
        let expected = try Self.full.metricSeries(model: "taxi-tip", from: from, to: to, step: .seconds(86_400))
        expectSameAnswers(daily, expected)
        // Only the day level is held: 30 buckets a series against 30 days of hours and 2 days of minutes.
        #expect(engine.memoryFootprint.buckets * 5 < Self.full.memoryFootprint.buckets)
    }

    @Test func hourBucketsAnswerHourlySeriesAndWindowsAsTheFullEngine() throws {
        let engine = try Self.engine(keeping: .hour)
        let from = Fixture.time("2020-02-27T00:00:00Z")
        let to = Fixture.time("2020-03-01T00:00:00Z")
        let hourly = try engine.metricSeries(model: "taxi-tip", from: from, to: to, step: .seconds(3_600))
        #expect(hourly.count == 72)
        expectSameAnswers(
            hourly, try Self.full.metricSeries(model: "taxi-tip", from: from, to: to, step: .seconds(3_600)))
        let window = Window.last(.seconds(6 * 3_600), now: Fixture.time("2020-02-29T17:00:00Z"))
        let report = try engine.metrics(model: "taxi-tip", window: window, version: "v2")
        #expect((report["labeled_count"]?.value ?? 0) > 0)
        expectSameAnswers([report], [try Self.full.metrics(model: "taxi-tip", window: window, version: "v2")])
        #expect(engine.memoryFootprint.buckets < Self.full.memoryFootprint.buckets)
    }
}

/// The same windows with the same values and confusion (the resolution the edges fell on may differ).
private func expectSameAnswers(
    _ a: [MetricReport], _ b: [MetricReport], sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    for (x, y) in zip(a, b) {
        #expect(x.from == y.from && x.to == y.to, sourceLocation: sourceLocation)
        #expect(x.confusion == y.confusion, "\(x.from!)", sourceLocation: sourceLocation)
        #expect(x.names == y.names && !x.names.isEmpty, sourceLocation: sourceLocation)
        for name in x.names {
            #expect(x[name]?.n == y[name]?.n, "\(x.from!) \(name)", sourceLocation: sourceLocation)
            expectClose(
                x[name]?.value, y[name]?.value, relative: 1e-12, "\(x.from!) \(name)", sourceLocation: sourceLocation)
        }
    }
}
