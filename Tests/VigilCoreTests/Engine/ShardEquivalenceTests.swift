import Foundation
import Testing

@testable import VigilCore

/// Property: an engine of P shards answers exactly as one of a single shard, for every fixture ingested in a
/// random order with duplicates, corrections, orphans, shadows and a custom metric — and as of a cutoff.
///
/// Counts must be equal; sums of doubles may differ in their last bits, since shards add in another order.
struct ShardEquivalenceTests {
    enum Event {
        case prediction(Prediction)
        case feedback(Feedback)
    }

    static let taxiRecall =
        "sum(prediction == 1 and label == 1 and features.trip_distance > 5) / sum(label == 1 and features.trip_distance > 5)"

    /// The fixture's rows with re-sent predictions and labels, later corrections, orphans that never meet a
    /// prediction and (for binary models) shadows, shuffled.
    static func events(_ predictions: [Prediction], _ feedback: [Feedback], labels: [Outcome], seed: UInt64)
        -> [Event]
    {
        var rng = SplitMix64(seed: seed)
        var events = predictions.map(Event.prediction) + feedback.map(Event.feedback)
        for p in predictions.shuffled(using: &rng).prefix(predictions.count / 20) {
            events.append(.prediction(p))
            var shadow = p
            shadow.version = "shadow"
            shadow.shadow = true
            events.append(.prediction(shadow))
        }
        for f in feedback.shuffled(using: &rng).prefix(feedback.count / 10) {
            events.append(.feedback(f))
            let later = f.time + .seconds(Int64.random(in: 1...86_400, using: &rng))
            events.append(.feedback(Feedback(id: f.id, time: later, label: labels.randomElement(using: &rng)!)))
        }
        for i in 0..<50 {
            let time = predictions[i * 7].time
            events.append(.feedback(Feedback(id: "orphan\(i)", time: time, label: labels[i % labels.count])))
        }
        events.shuffle(using: &rng)
        return events
    }

    /// Ingests every event, returning each one's outcome (or error code) for comparison.
    static func ingest(_ events: [Event], shards: Int, setUp: (inout Engine) throws -> Void = { _ in }) throws
        -> (Engine, [String])
    {
        var configuration = EngineConfiguration()
        configuration.shards = shards
        var engine = Engine(configuration: configuration)
        try setUp(&engine)
        var outcomes: [String] = []
        outcomes.reserveCapacity(events.count)
        for e in events {
            do throws(EventError) {
                switch e {
                case .prediction(let p): outcomes.append("\(try engine.ingest(p))")
                case .feedback(let f): outcomes.append("\(try engine.ingest(f))")
                }
            } catch {
                outcomes.append(error.code.rawValue)
            }
        }
        return (engine, outcomes)
    }

    @Test(arguments: [2, 7])
    func taxiWithProfilesShadowsAndACustomMetric(shards: Int) throws {
        let events = Self.events(
            TaxiProfiles.predictions(), Fixture.feedback("taxi"), labels: [.number(0), .number(1)], seed: 21)
        let setUp: (inout Engine) throws -> Void = {
            try $0.defineMetric("long_trip_recall", on: "taxi-tip", Self.taxiRecall)
        }
        let (single, expectedOutcomes) = try Self.ingest(events, shards: 1, setUp: setUp)
        let (sharded, outcomes) = try Self.ingest(events, shards: shards, setUp: setUp)
        #expect(sharded.shards.count == shards)
        #expect(sharded.shards.allSatisfy { $0.join.count > 0 }, "every shard holds predictions")
        Self.expectSameOutcomes(outcomes, expectedOutcomes)
        Self.expectSameAnswers(single, sharded, model: "taxi-tip", segment: Segment(key: "payment_type", value: "card"))
        let weeks = [TaxiProfiles.firstWeek, TaxiProfiles.lastWeek, .cumulative]
        for window in weeks {
            let a = DriftReport(
                reference: TaxiProfiles.reference(),
                current: try single.profile(model: "taxi-tip", window: window).profile)
            let b = DriftReport(
                reference: TaxiProfiles.reference(),
                current: try sharded.profile(model: "taxi-tip", window: window).profile)
            #expect(a.currentRows == b.currentRows)
            for (x, y) in zip(a.columns, b.columns) {
                #expect(x.column == y.column)
                #expect(x.currentCount == y.currentCount)
                #expect(x.currentBinCounts == y.currentBinCounts && x.currentCounts == y.currentCounts)
                Self.expectClose(x.psi, y.psi, "\(x.column) psi")
                Self.expectClose(x.ksStatistic, y.ksStatistic, "\(x.column) ks")
            }
            try Self.expectClose(
                try single.estimatedPerformance(model: "taxi-tip", window: window),
                try sharded.estimatedPerformance(model: "taxi-tip", window: window))
        }
        let version = try #require(single.modelSummary("taxi-tip").versions.first)
        let a = try single.shadowComparison(model: "taxi-tip", shadow: "shadow", primary: version)
        let b = try sharded.shadowComparison(model: "taxi-tip", shadow: "shadow", primary: version)
        #expect(a.pairs > 0 && a.labeledPairs > 0 && a == b)
        #expect(single.versionsSeen("taxi-tip") == sharded.versionsSeen("taxi-tip"))
        for id in ["orphan3", TaxiProfiles.predictions()[17].id, "never-sent"] {
            #expect(single.prediction(id) == sharded.prediction(id))
        }
    }

    /// Ingests runs of same-kind events as batches of random sizes, the shards of each run on separate threads.
    /// With `mixed`, a batch takes predictions and labels together, as a time-ordered replay does.
    static func ingestInBatches(
        _ events: [Event], shards: Int, seed: UInt64, mixed: Bool = false,
        setUp: (inout Engine) throws -> Void = { _ in }
    ) throws -> (Engine, [String]) {
        var configuration = EngineConfiguration()
        configuration.shards = shards
        var engine = Engine(configuration: configuration)
        try setUp(&engine)
        let concurrently: Engine.ShardRunner = { count, body in
            DispatchQueue.concurrentPerform(iterations: count, execute: body)
        }
        var rng = SplitMix64(seed: seed)
        var outcomes: [String] = []
        var i = 0
        func describe(_ r: Result<IngestOutcome, EventError>) -> String {
            switch r {
            case .success(let o): "\(o)"
            case .failure(let e): e.code.rawValue
            }
        }
        while i < events.count {
            let size = Int.random(in: 1...400, using: &rng)
            if mixed {
                let batch = events[i..<min(i + size, events.count)].map { (e) -> VigilCore.Event in
                    switch e {
                    case .prediction(let p): .prediction(p)
                    case .feedback(let f): .feedback(f)
                    }
                }
                i += batch.count
                outcomes += engine.ingest(batch, run: concurrently).map(describe)
                continue
            }
            var predictions: [Prediction] = []
            var feedback: [Feedback] = []
            let predicting = if case .prediction = events[i] { true } else { false }
            collect: while i < events.count, predictions.count + feedback.count < size {
                switch events[i] {
                case .prediction(let p) where predicting: predictions.append(p)
                case .feedback(let f) where !predicting: feedback.append(f)
                default: break collect
                }
                i += 1
            }
            let results =
                predictions.isEmpty
                ? engine.ingest(feedback, run: concurrently) : engine.ingest(predictions, run: concurrently)
            outcomes += results.map(describe)
        }
        return (engine, outcomes)
    }

    /// Batches with each run's shards on separate threads give every row the serial outcome, and the same state;
    /// so do batches that mix predictions and labels.
    @Test(arguments: [(1, false), (2, false), (7, false), (2, true), (7, true)])
    func batchesAcrossThreadsMatchOneByOne(shards: Int, mixed: Bool) throws {
        let events = Self.events(
            TaxiProfiles.predictions(), Fixture.feedback("taxi"), labels: [.number(0), .number(1)], seed: 24)
        let setUp: (inout Engine) throws -> Void = {
            try $0.defineMetric("long_trip_recall", on: "taxi-tip", Self.taxiRecall)
        }
        let (single, expectedOutcomes) = try Self.ingest(events, shards: 1, setUp: setUp)
        let (batched, outcomes) = try Self.ingestInBatches(
            events, shards: shards, seed: 25, mixed: mixed, setUp: setUp)
        Self.expectSameOutcomes(outcomes, expectedOutcomes)
        Self.expectSameAnswers(single, batched, model: "taxi-tip", segment: Segment(key: "payment_type", value: "cash"))
        let a = try single.profile(model: "taxi-tip", window: TaxiProfiles.lastWeek).profile
        let b = try batched.profile(model: "taxi-tip", window: TaxiProfiles.lastWeek).profile
        #expect(a.rows == b.rows && a.rows > 0)
        for (name, column) in a.columns { #expect(b.columns[name]?.present == column.present, "\(name)") }
    }

    @Test(arguments: [2, 7])
    func fareRegression(shards: Int) throws {
        let events = Self.events(
            Fixture.fareRegressionPredictions(), Fixture.feedback("fare-regression"),
            labels: [.number(7.5), .number(12), .number(30)], seed: 22)
        let (single, expectedOutcomes) = try Self.ingest(events, shards: 1)
        let (sharded, outcomes) = try Self.ingest(events, shards: shards)
        Self.expectSameOutcomes(outcomes, expectedOutcomes)
        Self.expectSameAnswers(single, sharded, model: "fare", segment: nil)
    }

    @Test(arguments: [2, 7])
    func tripTypeMulticlass(shards: Int) throws {
        let events = Self.events(
            Fixture.tripTypePredictions(), Fixture.feedback("trip-type-multiclass"),
            labels: Fixture.tripClasses.map(Outcome.category), seed: 23)
        let (single, expectedOutcomes) = try Self.ingest(events, shards: 1)
        let (sharded, outcomes) = try Self.ingest(events, shards: shards)
        Self.expectSameOutcomes(outcomes, expectedOutcomes)
        Self.expectSameAnswers(single, sharded, model: "trip-type", segment: nil)
    }

    /// As of a cutoff (labels that had arrived by then only), 7 shards answer as one.
    @Test func asOfACutoff() throws {
        let cutoff = Fixture.time("2020-02-15T00:00:00Z")
        var configuration = EngineConfiguration()
        configuration.shards = 7
        var sharded = Engine(configuration: configuration)
        var single = Engine()
        let predictions = TaxiProfiles.predictions()
        let feedback = Fixture.feedback("taxi")
        let a = EventReplay(asOf: cutoff).run(predictions: predictions, feedback: feedback, into: &single)
        let b = EventReplay(asOf: cutoff).run(predictions: predictions, feedback: feedback, into: &sharded)
        #expect(a == b && a.feedbackAfterCutoff > 0)
        Self.expectSameAnswers(single, sharded, model: "taxi-tip", segment: nil)
    }

    static func expectSameOutcomes(_ a: [String], _ b: [String]) {
        #expect(a.count == b.count)
        let differing = zip(a, b).enumerated().filter { $0.element.0 != $0.element.1 }
        #expect(
            differing.isEmpty,
            "\(differing.count) outcomes differ, first: \(differing.prefix(3).map { "\($0.offset): \($0.element)" })")
    }

    static func expectSameAnswers(_ a: Engine, _ b: Engine, model: String, segment: Segment?) {
        #expect(a.modelSummaries == b.modelSummaries)
        #expect(a.statistics == b.statistics)
        #expect(a.watermark == b.watermark)
        let summary = try! a.modelSummary(model)
        let from = summary.firstEvent!
        let to = summary.lastEvent! + .seconds(1)
        for version in [nil] + summary.versions.map(Optional.some) {
            for window in [
                Window.cumulative, .range(from: from, to: to), .range(from: to - .seconds(3 * 86_400), to: to),
            ] {
                expectSame(
                    try? a.metrics(model: model, window: window, version: version, segment: segment),
                    try? b.metrics(model: model, window: window, version: version, segment: segment))
                expectSame(
                    try? a.metrics(model: model, window: window, version: version),
                    try? b.metrics(model: model, window: window, version: version))
            }
        }
        let seriesA = try! a.metricSeries(model: model, from: from, to: to, step: .seconds(86_400))
        let seriesB = try! b.metricSeries(model: model, from: from, to: to, step: .seconds(86_400))
        #expect(seriesA.count == seriesB.count && seriesA.count > 20)
        for (x, y) in zip(seriesA, seriesB) { expectSame(x, y) }
    }

    static func expectSame(_ a: MetricReport?, _ b: MetricReport?) {
        guard let a, let b else {
            #expect(a == nil && b == nil)
            return
        }
        #expect(a.names == b.names && a.from == b.from && a.to == b.to && a.confusion == b.confusion)
        #expect(a.values.values.contains { $0.value != nil }, "some metric has a value")
        for name in a.names {
            let (x, y) = (a.values[name]!, b.values[name]!)
            #expect(x.n == y.n && x.reason == y.reason, "\(name)")
            expectClose(x.value, y.value, name)
            expectClose(x.lower, y.lower, "\(name) lower")
            expectClose(x.upper, y.upper, "\(name) upper")
        }
    }

    /// Every number of two encoded values within the tolerance, everything else equal.
    static func expectClose(_ a: some Encodable, _ b: some Encodable) throws {
        func tree(_ v: some Encodable) throws -> Any {
            try JSONSerialization.jsonObject(with: try JSONEncoder().encode(v), options: .fragmentsAllowed)
        }
        func compare(_ x: Any, _ y: Any, _ path: String) {
            switch (x, y) {
            case (let x as [String: Any], let y as [String: Any]):
                #expect(Set(x.keys) == Set(y.keys), "\(path)")
                for (k, v) in x { if let w = y[k] { compare(v, w, path + "." + k) } }
            case (let x as [Any], let y as [Any]):
                #expect(x.count == y.count, "\(path)")
                for (i, (v, w)) in zip(x, y).enumerated() { compare(v, w, "\(path)[\(i)]") }
            case (let x as NSNumber, let y as NSNumber):
                expectClose(x.doubleValue, y.doubleValue, path)
            default:
                #expect("\(x)" == "\(y)", "\(path)")
            }
        }
        compare(try tree(a), try tree(b), "")
    }

    static func expectClose(_ a: Double?, _ b: Double?, _ what: String) {
        guard let a, let b else {
            #expect(a == nil && b == nil, "\(what): \(String(describing: a)) vs \(String(describing: b))")
            return
        }
        #expect(abs(a - b) <= 1e-9 * max(1, abs(a)), "\(what): \(a) vs \(b)")
    }
}
