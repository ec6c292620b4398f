import Foundation
import Testing
import VigilCore

/// Once the quantile sketch takes over, drift statistics stay within the bounds `docs/drift.md` states.
///
/// The sketch moves every value `x` to a representative within `α·|x|` (α = 1%). So:
/// quantiles are within relative α; the Wasserstein distance moves by at most `α·mean|x|` of the
/// sketched sample (a coupling argument); a value can change bins (PSI, JS) or the KS statistic only if
/// it lies within a factor `γ = (1+α)/(1−α)` of an edge or of the sup point.
struct SketchAccuracyTests {
    static let alpha = 0.01
    static let gamma = (1 + alpha) / (1 - alpha)

    static func sketched() throws -> (ColumnDrift, ColumnDrift, [Double]) {
        var configuration = EngineConfiguration()
        configuration.profileLimits = ProfileLimits(exactValues: 64)
        let engine = try TaxiProfiles.engine(configuration)
        let current = try engine.profile(model: "taxi-tip", window: TaxiProfiles.lastWeek).profile
        let reference = TaxiProfiles.reference()
        let sketched = DriftReport(reference: reference, current: current).columns.first {
            $0.column == "trip_distance"
        }!
        let exact = try TaxiDriftTests.report().0.columns.first { $0.column == "trip_distance" }!
        let values = TaxiProfiles.predictions().filter {
            $0.time >= Fixture.time("2020-02-23T00:00:00Z")
        }.compactMap { p -> Double? in
            if case .number(let v)? = p.features["trip_distance"] { return v }
            return nil
        }
        return (sketched, exact, values.sorted())
    }

    @Test func quantilesWithinRelativeAccuracy() throws {
        let (s, e, _) = try Self.sketched()
        #expect(s.approximate)
        let expected = Fixture.expected("taxi")["drift"] as! [String: Any]
        let q = expected["trip_distance_quantiles_current"] as! [String: Any]
        expectRelative(s.currentQuantiles?.p50, number(q["p50"])!, Self.alpha, "p50")
        expectRelative(s.currentQuantiles?.p90, number(q["p90"])!, Self.alpha, "p90")
        expectRelative(s.currentQuantiles?.p99, number(q["p99"])!, Self.alpha, "p99")
        #expect(e.currentQuantiles?.p50 == number(q["p50"]))
    }

    @Test func wassersteinWithinBound() throws {
        let (s, e, values) = try Self.sketched()
        let meanAbs = values.map(abs).reduce(0, +) / Double(values.count)
        let bound = Self.alpha * meanAbs
        #expect(abs(s.wasserstein! - e.wasserstein!) <= bound, "\(s.wasserstein!) vs \(e.wasserstein!), bound \(bound)")
    }

    @Test func binCountsAndKSWithinBand() throws {
        let (s, e, values) = try Self.sketched()
        let n = Double(values.count)
        func within(_ edge: Double) -> Int64 {
            Int64(values.filter { $0 > edge / Self.gamma && $0 <= edge * Self.gamma }.count)
        }
        let edges = e.binEdges!
        #expect(s.binEdges == edges)
        for j in 0..<(edges.count + 1) {
            let slack = (j > 0 ? within(edges[j - 1]) : 0) + (j < edges.count ? within(edges[j]) : 0)
            #expect(abs(s.currentBinCounts![j] - e.currentBinCounts![j]) <= slack, "bin \(j)")
        }
        // KS: the sketched ECDF differs from the exact one only by values within a factor γ of the point.
        var band = 0.0
        for v in Set(values) { band = max(band, Double(within(v)) / n) }
        #expect(abs(s.ksStatistic! - e.ksStatistic!) <= band, "KS \(s.ksStatistic!) vs \(e.ksStatistic!), band \(band)")
    }

    @Test func sketchMergeIsOrderIndependent() {
        var a = DataProfile()
        var b = DataProfile()
        let limits = ProfileLimits(exactValues: 16, exactCategories: 8)
        var rng = SplitMix64(seed: 3)
        var rows: [[String: FeatureValue]] = []
        for _ in 0..<2000 {
            rows.append([
                "x": .number(Double(rng.next() % 100_000) / 7), "c": .string("k\(rng.next() % 50)"),
            ])
        }
        var parts = [DataProfile](repeating: DataProfile(), count: 4)
        for (i, r) in rows.enumerated() { parts[i % 4].add(features: r, limits: limits) }
        for p in parts { a.merge(p, limits: limits) }
        for p in parts.reversed() { b.merge(p, limits: limits) }
        #expect(EmpiricalDistribution(a.columns["x"]!.numeric) == EmpiricalDistribution(b.columns["x"]!.numeric))
        #expect(a.columns["x"]!.numeric.distinct == b.columns["x"]!.numeric.distinct)
        #expect(a.columns["c"]!.categorical.count == 2000)
    }
}
