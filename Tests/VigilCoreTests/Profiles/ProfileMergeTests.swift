import Foundation
import Testing
import VigilCore

/// Profiles merged from hour and day buckets equal a profile built directly from the same rows.
struct ProfileMergeTests {
    @Test(arguments: [30, 7])
    func bucketMergeEqualsDirectProfile(hourRetentionDays: Int64) throws {
        var configuration = EngineConfiguration()
        configuration.profileHourRetention = .seconds(hourRetentionDays * 86_400)
        let engine = try TaxiProfiles.engine(configuration)
        // Hour edges on both sides: merges hours of Feb 20, whole days, and hours of Feb 26. With 7 days of
        // hourly profiles (behind the last event, Feb 29) the Feb 20 edge resolves to the day.
        let window = try engine.profile(
            model: "taxi-tip",
            window: .range(from: Fixture.time("2020-02-20T13:00:00Z"), to: Fixture.time("2020-02-26T07:00:00Z")),
            version: "v1")
        let from = try #require(window.from)
        let to = try #require(window.to)
        #expect(from == Fixture.time(hourRetentionDays == 30 ? "2020-02-20T13:00:00Z" : "2020-02-20T00:00:00Z"))
        #expect(to == Fixture.time("2020-02-26T07:00:00Z"))
        let merged = window.profile
        var direct = DataProfile()
        for p in TaxiProfiles.predictions() where p.time >= from && p.time < to && p.version == "v1" {
            direct.add(features: p.features)
        }
        #expect(merged.rows == direct.rows)
        for name in TaxiProfiles.numeric + TaxiProfiles.categorical {
            let a = try #require(merged.columns[name])
            let b = try #require(direct.columns[name])
            #expect(a.present == b.present, "\(name)")
            #expect(EmpiricalDistribution(a.numeric) == EmpiricalDistribution(b.numeric), "\(name)")
            #expect(a.categorical.counts == b.categorical.counts, "\(name)")
            #expect(a.numeric.min == b.numeric.min && a.numeric.max == b.numeric.max)
            if let m = a.numeric.mean, let n = b.numeric.mean { expectClose(m, n, relative: 1e-12, "\(name) mean") }
            if let m = a.numeric.variance, let n = b.numeric.variance {
                expectClose(m, n, relative: 1e-9, "\(name) variance")
            }
        }
        // Score drift needs the outputs: 0/1 predictions and scores are profiled too.
        #expect(merged.outputs["score"]?.numeric.count == merged.rows)
        #expect(merged.outputs["prediction"]?.categorical.counts.keys.sorted() == ["0", "1"])
    }

    @Test func meanAndVarianceMatchTwoPass() throws {
        let reference = TaxiProfiles.reference()
        let values = Fixture.rows("taxi", "reference.csv").map { Double($0["fare_amount"]!)! }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
        expectClose(reference.columns["fare_amount"]?.numeric.mean, mean, relative: 1e-12, "mean")
        expectClose(reference.columns["fare_amount"]?.numeric.variance, variance, relative: 1e-10, "variance")
    }

    @Test func scoreDriftWorksWithoutLabels() throws {
        let engine = try TaxiProfiles.engine()
        let reference = try engine.profile(model: "taxi-tip", window: TaxiProfiles.firstWeek).profile
        let current = try engine.profile(model: "taxi-tip", window: TaxiProfiles.lastWeek).profile
        let report = DriftReport(reference: reference, current: current)
        let score = try #require(report.outputs.first { $0.column == "score" })
        #expect(score.referenceCount == 4753)
        #expect(score.currentCount == 4900)
        #expect(score.psi != nil && score.ksPValue != nil)
    }

    @Test func memoryPerColumnBucketIsBounded() throws {
        var configuration = EngineConfiguration()
        configuration.profileLimits = ProfileLimits(exactValues: 256, exactCategories: 64)
        var engine = Engine(configuration: configuration)
        var rng = SplitMix64(seed: 7)
        let start = Fixture.time("2020-02-01T00:00:00Z")
        for i in 0..<50_000 {
            let u = Double(rng.next() >> 11) / Double(1 << 53)
            try engine.ingest(
                Prediction(
                    id: "p\(i)", time: start + .seconds(Int64(i % 3600)), model: "m",
                    features: ["x": .number(u * 1000), "c": .string("c\(rng.next() % 10_000)")],
                    score: .probability(u)))
        }
        let footprint = engine.profileFootprint
        // Past the caps: a quantile sketch (≤ 2·2,048 bins), a HyperLogLog (4 KiB) and at most 1,024
        // frequent items per column per bucket.
        let perColumnBucket = footprint.bytes / max(1, footprint.columnBuckets)
        #expect(perColumnBucket < 160_000, "\(perColumnBucket) bytes per column per bucket")
        let profile = try engine.profile(model: "m").profile
        #expect(!profile.columns["x"]!.numeric.isExact)
        #expect(!profile.columns["c"]!.categorical.isExact)
        // 50,000 distinct values (almost surely), 10,000 categories: HyperLogLog within 3σ = 4.9%.
        expectClose(profile.columns["x"]!.numeric.distinct, 50_000, relative: 0.049, "distinct x")
        expectClose(profile.columns["c"]!.categorical.distinct, 10_000, relative: 0.049, "distinct c")
    }
}
