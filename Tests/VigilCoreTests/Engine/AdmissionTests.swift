import Foundation
import Testing

@testable import VigilCore

/// The limits and checks a row passes before it changes the engine, each with the error it gets.
struct AdmissionTests {
    static let t0 = Fixture.time("2026-01-01T00:00:00Z")

    static func binary(_ id: String, model: String = "card", segments: [String: String] = [:], version: String = "v1")
        -> Prediction
    {
        Prediction(
            id: id, time: t0, model: model, version: version, segments: segments, score: .probability(0.5),
            prediction: .number(1))
    }

    /// The event error `body` throws, if any.
    static func error(_ body: () throws -> Void) -> EventError? {
        do {
            try body()
            return nil
        } catch {
            return error as? EventError
        }
    }

    @Test func rejectedFirstRowLeavesNoModel() throws {
        var engine = Engine()
        let bad = Prediction(id: "r1", time: Self.t0, model: "fare", score: .probability(1.5))
        #expect(Self.error { try engine.ingest(bad) }?.field == "score")
        let noOutput = Prediction(id: "r2", time: Self.t0, model: "fare2")
        #expect(Self.error { try engine.ingest(noOutput) }?.code == .missingField)
        #expect(engine.modelSummaries.isEmpty)
        // The model is still undecided: a regression row is accepted, as it would be after a replay.
        try engine.ingest(Prediction(id: "r3", time: Self.t0, model: "fare", prediction: .number(12.5)))
        #expect(try engine.modelSummary("fare").task == .regression)
    }

    @Test func conflictDoesNotAddVersionOrSegment() throws {
        var engine = Engine()
        try engine.ingest(Self.binary("a"))
        var other = Self.binary("a", segments: ["region": "eu"], version: "v9")
        other.score = .probability(0.1)
        #expect(Self.error { try engine.ingest(other) }?.code == .conflict)
        let summary = try engine.modelSummary("card")
        #expect(summary.versions == ["v1"])
        #expect(summary.segments.isEmpty)
    }

    @Test func rejectedMulticlassRowAddsNoClass() throws {
        var engine = Engine()
        try engine.ingest(Prediction(id: "a", time: Self.t0, model: "trip", prediction: .category("cash")))
        let bad = Prediction(
            id: "b", time: Self.t0, model: "trip", score: .classes([ClassScore("card", 0.5), ClassScore("x", 2)]))
        #expect(Self.error { try engine.ingest(bad) }?.field == "score.x")
        #expect(try engine.modelSummary("trip").classes == ["cash"])
    }

    @Test func segmentValuesPastTheLimitFoldIntoOther() throws {
        var configuration = EngineConfiguration()
        configuration.limits.maxSegmentValuesPerKey = 3
        var engine = Engine(configuration: configuration)
        for n in 1...10 { try engine.ingest(Self.binary("s\(n)", segments: ["user": "u\(n)"])) }
        #expect(try engine.modelSummary("card").segments["user"] == ["__other__", "u1", "u2", "u3"])
        #expect(engine.statistics.segmentValuesFolded == 7)
        let other = try engine.metrics(
            model: "card", segment: Segment(key: "user", value: "__other__"), names: ["count"])
        #expect(other["count"]?.value == 7)
        // A known value keeps its own series.
        try engine.ingest(Self.binary("s11", segments: ["user": "u2"]))
        #expect(engine.statistics.segmentValuesFolded == 7)
    }

    @Test func limitsRejectWithTheField() throws {
        var configuration = EngineConfiguration()
        configuration.limits.maxModels = 2
        configuration.limits.maxVersionsPerModel = 2
        configuration.limits.maxSegmentKeysPerModel = 1
        configuration.limits.maxFeaturesPerRow = 2
        configuration.limits.maxClassesPerModel = 2
        var engine = Engine(configuration: configuration)
        try engine.ingest(Self.binary("a", model: "m1", segments: ["k1": "x"]))
        try engine.ingest(Self.binary("b", model: "m2"))
        let third = Self.error { try engine.ingest(Self.binary("c", model: "m3")) }
        #expect(third?.code == .limitExceeded && third?.field == "model")
        try engine.ingest(Self.binary("d", model: "m1", version: "v2"))
        #expect(Self.error { try engine.ingest(Self.binary("e", model: "m1", version: "v3")) }?.field == "version")
        #expect(
            Self.error { try engine.ingest(Self.binary("f", model: "m1", segments: ["k2": "y"])) }?.field
                == "segment.k2")
        var wide = Self.binary("g", model: "m1")
        wide.features = ["a": .number(1), "b": .number(2), "c": .number(3)]
        #expect(Self.error { try engine.ingest(wide) }?.field == "features")
        let classes = ["p", "q", "r"].enumerated().map { i, c in
            Prediction(id: "mc\(i)", time: Self.t0, model: "m2x", prediction: .category(c))
        }
        var capped = Engine(configuration: configuration)
        try capped.ingest(classes[0])
        try capped.ingest(classes[1])
        let tooMany = Self.error { try capped.ingest(classes[2]) }
        #expect(tooMany?.code == .limitExceeded && tooMany?.field == "prediction")
        #expect(try capped.modelSummary("m2x").classes == ["p", "q"])
    }

    @Test(arguments: [
        ("id", "field"), ("model", "field"), ("version", "field"), ("segment", "key"), ("segment", "value"),
        ("feature", "name"), ("feature", "value"),
    ])
    func overlongStringsAreRefused(field: String, part: String) {
        var engine = Engine()
        let long = String(repeating: "é", count: 5000)  // 10,000 bytes
        var p = Self.binary("ok")
        switch (field, part) {
        case ("id", _): p.id = long
        case ("model", _): p.model = long
        case ("version", _): p.version = long
        case ("segment", "key"): p.segments = [long: "x"]
        case ("segment", _): p.segments = ["user": long]
        case ("feature", "name"): p.features = [long: .number(1)]
        default: p.features = ["city": .string(long + long)]
        }
        let error = Self.error { try engine.ingest(p) }
        #expect(error?.code == .tooLong)
        #expect(error?.message.contains("bytes") == true)
        #expect((error?.message.utf8.count ?? .max) < 400, "the message must not echo the whole value")
        #expect(engine.modelSummaries.isEmpty)
    }

    @Test(arguments: ["a\u{0}b", "tab\there", "bell\u{7}", "c1\u{85}x"])
    func controlCharactersInNamesAreRefused(name: String) {
        var engine = Engine()
        #expect(Self.error { try engine.ingest(Self.binary("a", model: name)) }?.code == .invalidName)
        #expect(Self.error { try engine.ingest(Self.binary("a", version: name)) }?.code == .invalidName)
        #expect(Self.error { try engine.ingest(Self.binary("a", segments: ["k": name])) }?.code == .invalidName)
        #expect(engine.modelSummaries.isEmpty)
    }

    @Test func timesBeforeTheEpochAndLabelsPastTheHorizonAreRefused() throws {
        var engine = Engine()
        var old = Self.binary("old")
        old.time = try Timestamp(iso8601: "0000-01-01T00:00:00Z")
        #expect(Self.error { try engine.ingest(old) }?.code == .timestampBeforeEpoch)
        old.time = try Timestamp(iso8601: "1969-12-31T23:59:59Z")
        #expect(Self.error { try engine.ingest(old) }?.code == .timestampBeforeEpoch)
        #expect(
            Self.error { try engine.ingest(Feedback(id: "x", time: old.time, label: .number(1))) }?.code
                == .timestampBeforeEpoch)
        try engine.ingest(Self.binary("now"))
        // The default horizon is 30 days: a label from 31 days before the newest event can join nothing.
        let late = Feedback(id: "now", time: Self.t0 - .seconds(31 * 86_400), label: .number(1))
        #expect(Self.error { try engine.ingest(late) }?.code == .labelPastHorizon)
        #expect(engine.statistics.orphansHeld == 0)
    }

    /// A series holding one bucket per level costs a few kilobytes, not the 145 KB a full bucket-cache ring took:
    /// 1,000 distinct segment values must stay under 10 MB of buckets.
    @Test func memoryPerSegmentValueIsSmall() throws {
        var engine = Engine()
        for n in 0..<1000 { try engine.ingest(Self.binary("s\(n)", segments: ["user": "u\(n)"])) }
        let perSeries = Double(engine.memoryFootprint.buckets) / Double(engine.seriesKeys.count)
        #expect(engine.seriesKeys.count == 1001)
        #expect(perSeries < 10_000, "bytes per series: \(perSeries)")
    }
}

extension AdmissionTests {
    @Test func aSeriesOfTooManyStepsIsRefused() throws {
        var engine = Engine()
        try engine.ingest(Self.binary("a"))
        #expect(throws: QueryError.self) {
            try engine.metricSeries(
                model: "card", from: Self.t0, to: Self.t0 + .seconds(86_400), step: .seconds(1), names: ["count"])
        }
        let hourly = try engine.metricSeries(
            model: "card", from: Self.t0, to: Self.t0 + .seconds(86_400), step: .seconds(3600), names: ["count"])
        #expect(hourly.count == 24)
        #expect(hourly.first?["count"]?.value == 1)
    }
}

extension AdmissionTests {
    /// A label for a removed model's pending prediction changes nothing — not even the watermark, since a
    /// `stale` row is not logged and a replay would not see it.
    @Test func aLabelForARemovedModelLeavesTheEngineAsItWas() throws {
        var engine = Engine()
        try engine.ingest(Self.binary("a", model: "gone"))
        try engine.removeModel("gone")
        let watermark = engine.watermark
        let late = Feedback(id: "a", time: Self.t0 + .seconds(3600), label: .number(1))
        #expect(try engine.ingest(late) == .stale)
        #expect(engine.watermark == watermark)
    }

    /// A custom metric may name a model before its first prediction: the model's name is checked and counted
    /// as a row's would be (a definition used to create models past every limit), and the metric's name is an
    /// ASCII identifier, as the API documents.
    @Test func aMetricDefinitionNamesModelsWithinTheLimits() throws {
        var configuration = EngineConfiguration()
        configuration.limits.maxModels = 1
        var engine = Engine(configuration: configuration)
        try engine.defineMetric("hits", on: "m1", "sum(prediction == 1)")
        func refusal(_ name: String, _ model: String) -> String? {
            do {
                try engine.defineMetric(name, on: model, "sum(prediction == 1)")
                return nil
            } catch {
                return error.message
            }
        }
        #expect(refusal("hits", "m2")?.contains("at most 1 models") == true)
        #expect(refusal("hits", "bad\u{6}")?.contains("control character") == true)
        #expect(refusal("í", "m1")?.contains("ASCII") == true)
        #expect(refusal(String(repeating: "a", count: 129), "m1") != nil)
        #expect(refusal("hits_2", "m1") == nil)
        #expect(engine.modelSummaries.map(\.name) == ["m1"])
    }
}
