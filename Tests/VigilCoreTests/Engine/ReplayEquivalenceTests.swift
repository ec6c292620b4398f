import Foundation
import Testing

@testable import VigilCore

/// Property: the server logs only the rows the engine accepted (and not pure repeats), so replaying that log
/// into a fresh engine must rebuild exactly the live engine — whatever mix of valid and invalid rows arrived.
/// A rejected row that changed anything (registered its model, set a task, added a version, a class or a
/// segment value) breaks this.
struct ReplayEquivalenceTests {
    static let t0 = Fixture.time("2026-01-01T00:00:00Z")

    enum Row {
        case prediction(Prediction)
        case feedback(Feedback)
    }

    static var smallLimits: EngineConfiguration {
        var c = EngineConfiguration()
        c.limits.maxModels = 5
        c.limits.maxVersionsPerModel = 3
        c.limits.maxSegmentKeysPerModel = 2
        c.limits.maxSegmentValuesPerKey = 3
        c.limits.maxClassesPerModel = 4
        c.limits.maxFeaturesPerRow = 3
        c.limits.maxIdBytes = 12
        c.limits.maxNameBytes = 16
        c.labelHorizon = .seconds(2 * 86_400)
        return c
    }

    /// A random row, valid or not: wrong scores, missing outputs, task mismatches, conflicts, long or
    /// control-character names, too many features, pre-1970 times, unknown classes, labels past the horizon.
    static func randomRow(_ i: Int, _ rng: inout SplitMix64) -> Row {
        let models = ["bin", "reg", "multi", "new\(i % 7)", "a\u{7}b", "m\(i % 9)"]
        let model = models.randomElement(using: &rng)!
        let id =
            Int.random(in: 0..<10, using: &rng) == 0
            ? "x\(i)-toolongtobeanid" : "p\(Int.random(in: 0..<400, using: &rng))"
        var time = t0 + .seconds(Int64.random(in: 0..<(4 * 86_400), using: &rng))
        if Int.random(in: 0..<40, using: &rng) == 0 { time = Timestamp(milliseconds: -86_400_000) }
        if Int.random(in: 0..<3, using: &rng) == 0 {
            let label: Outcome = [.number(0), .number(1), .number(2.5), .category("cat"), .category("dog")]
                .randomElement(using: &rng)!
            return .feedback(Feedback(id: id, time: time, label: label))
        }
        var segments: [String: String] = [:]
        for key in ["user", "region", "zone"] where Bool.random(using: &rng) {
            segments[key] = "\(key)\(Int.random(in: 0..<6, using: &rng))"
        }
        var features: [String: FeatureValue] = [:]
        for k in 0..<Int.random(in: 0...4, using: &rng) { features["f\(k)"] = .number(Double(k)) }
        let version = ["v1", "v2", "v3", "v4", "", "very-long-version-name"].randomElement(using: &rng)!
        var score: Score? = [
            .probability(0.3), .probability(0.9), .probability(1.5), .classes([ClassScore("cat", 0.7)]),
            .classes([ClassScore("c\(Int.random(in: 0..<6, using: &rng))", 0.4)]), nil,
        ].randomElement(using: &rng)!
        var prediction: Outcome? = [.number(1), .number(0), .number(3.25), .category("dog"), nil]
            .randomElement(using: &rng)!
        // Most rows fit their model, so that enough are accepted to exercise the join.
        if Int.random(in: 0..<3, using: &rng) > 0 {
            switch model {
            case "reg": (score, prediction) = (nil, .number(Double(Int.random(in: 0..<100, using: &rng))))
            case "multi":
                (score, prediction) = (nil, .category(["cat", "dog", "c\(i % 5)"].randomElement(using: &rng)!))
            default: (score, prediction) = (.probability(Double(Int.random(in: 0...10, using: &rng)) / 10), nil)
            }
        }
        return .prediction(
            Prediction(
                id: id, time: time, model: model, version: version, segments: segments, features: features,
                score: score, prediction: prediction))
    }

    @Test(arguments: 0..<12)
    func liveEqualsReplayed(seed: UInt64) {
        var rng = SplitMix64(seed: seed &* 7919 &+ 1)
        var live = Engine(configuration: Self.smallLimits)
        var log: [Row] = []
        var rejected = 0
        for i in 0..<600 {
            let row = Self.randomRow(i, &rng)
            do {
                let outcome: IngestOutcome
                switch row {
                case .prediction(let p): outcome = try live.ingest(p)
                case .feedback(let f): outcome = try live.ingest(f)
                }
                if outcome != .duplicate && outcome != .stale { log.append(row) }
            } catch {
                rejected += 1
            }
        }
        #expect(rejected > 50, "the generator must produce invalid rows")
        #expect(log.count > 60, "and valid ones")
        var replayed = Engine(configuration: Self.smallLimits)
        for row in log {
            switch row {
            case .prediction(let p): #expect(throws: Never.self) { try replayed.ingest(p) }
            case .feedback(let f): #expect(throws: Never.self) { try replayed.ingest(f) }
            }
        }
        Self.expectSameState(live, replayed)
    }

    /// Everything but the counters of rows that were never logged (repeats and conflicts).
    static func expectSameState(_ a: Engine, _ b: Engine) {
        #expect(a.modelSummaries == b.modelSummaries)
        #expect(a.models.map(\.name) == b.models.map(\.name))
        #expect(a.models.map(\.classes) == b.models.map(\.classes))
        #expect(a.models.map(\.segmentValues) == b.models.map(\.segmentValues))
        #expect(a.models.map(\.profileColumns) == b.models.map(\.profileColumns))
        #expect(a.seriesKeys == b.seriesKeys)
        for (sa, sb) in zip(a.shards, b.shards) {
            for s in sa.series.indices where s < sb.series.count {
                for level in [Resolution.minute, .hour, .day] {
                    #expect(buckets(sa.series[s], level) == buckets(sb.series[s], level), "series \(a.seriesKeys[s])")
                }
                #expect(sa.series[s].profiles == sb.series[s].profiles)
            }
        }
        #expect(a.watermark == b.watermark)
        #expect(trafficFree(a.statistics) == trafficFree(b.statistics))
    }

    static func buckets(_ s: SeriesBuckets, _ r: Resolution) -> [Int64: Aggregate] {
        var out: [Int64: Aggregate] = [:]
        let level = r == .minute ? s.minutes : r == .hour ? s.hours : s.days
        level.forEach { out[$0] = $1 }
        return out
    }

    static func trafficFree(_ s: JoinStatistics) -> JoinStatistics {
        var s = s
        s.duplicatePredictions = 0
        s.conflictingPredictions = 0
        s.duplicateFeedback = 0
        s.feedbackAccepted = 0
        return s
    }
}
