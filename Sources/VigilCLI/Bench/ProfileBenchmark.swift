import Foundation
import VigilCore

/// Measures column profiles: the per-row update cost with 20 numeric and 10 categorical features,
/// the latency of a drift query over 30 days of buckets, and memory per column per bucket.
struct ProfileBenchmark {
    struct Result {
        var rows: Int
        var rowsPerSecondWithProfiles: Double
        var rowsPerSecondWithoutProfiles: Double
        var profileNanosecondsPerRow: Double
        var profileOnlyRowsPerSecond: Double
        var driftP50: Double
        var driftP99: Double
        var qualityP50: Double
        var bytesPerColumnBucket: Double
        var bytesPerColumnDayBucket: Double
        var buckets: Int
    }

    var rows: Int
    var queries: Int

    static let numeric = (0..<20).map { "num_\($0)" }
    static let categorical = (0..<10).map { "cat_\($0)" }

    /// Rows over 30 days: numeric features are lognormal-ish values rounded to 2 decimals (a few thousand
    /// distinct values, like real measurements), categories draw from 5 to 50 values.
    static func predictions(_ n: Int, seed: UInt64 = 11) -> [Prediction] {
        var rng = SplitMix64(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        let start = Timestamp(milliseconds: 1_580_515_200_000)
        let span: Int64 = 30 * 86_400_000
        return (0..<n).map { i in
            var features: [String: FeatureValue] = [:]
            for (k, name) in numeric.enumerated() {
                let z = (uniform() + uniform() + uniform() - 1.5) * 2
                features[name] = .number(((Foundation.exp(0.5 + 0.6 * z) * Double(k + 1)) * 100).rounded() / 100)
            }
            for (k, name) in categorical.enumerated() {
                features[name] = .string("v\(Int(uniform() * Double(5 + 5 * k)))")
            }
            let score = uniform()
            return Prediction(
                id: "p\(i)", time: start + .milliseconds(span * Int64(i) / Int64(n)), model: "bench",
                version: "v1", features: features, score: .probability(score), prediction: .number(score >= 0.5 ? 1 : 0)
            )
        }
    }

    func run(progress: (String) -> Void) throws -> Result {
        progress("generating \(rows) rows with 30 features")
        let data = Self.predictions(rows)
        var reference = DataProfile()
        for p in Self.predictions(20_000, seed: 12) { reference.add(features: p.features) }

        func ingest(profiles: Bool) throws -> (Engine, Double) {
            var configuration = EngineConfiguration()
            configuration.profiles = profiles
            var best = 0.0
            var kept = Engine(configuration: configuration)
            for _ in 0..<2 {
                var engine = Engine(configuration: configuration)
                let t0 = ContinuousClock.now
                for p in data { try engine.ingest(p) }
                let seconds = (ContinuousClock.now - t0).seconds
                best = max(best, Double(data.count) / seconds)
                kept = engine
            }
            return (kept, best)
        }
        progress("ingesting without profiles")
        let (_, without) = try ingest(profiles: false)
        progress("ingesting with profiles")
        let (engine, with) = try ingest(profiles: true)
        let profileNs = 1e9 / with - 1e9 / without

        progress("timing \(queries) drift and quality queries over 30 days")
        let end = Timestamp(milliseconds: 1_580_515_200_000 + 30 * 86_400_000)
        let window = Window.last(.seconds(30 * 86_400), now: end)
        let rules = RuleSet.suggested(from: reference)
        var drift: [Double] = []
        var quality: [Double] = []
        for _ in 0..<queries {
            var t0 = ContinuousClock.now
            let current = try engine.profile(model: "bench", window: window).profile
            let report = DriftReport(reference: reference, current: current, rules: rules)
            drift.append((ContinuousClock.now - t0).seconds * 1000)
            precondition(report.columns.count == 30)
            t0 = ContinuousClock.now
            let q = QualityReport(profile: try engine.profile(model: "bench", window: window).profile, rules: rules)
            quality.append((ContinuousClock.now - t0).seconds * 1000)
            precondition(q.columns.count == 30)
        }
        drift.sort()
        quality.sort()
        let footprint = engine.profileFootprint
        let dayBytes = engine.profileDayFootprint
        return Result(
            rows: rows, rowsPerSecondWithProfiles: with, rowsPerSecondWithoutProfiles: without,
            profileNanosecondsPerRow: profileNs, profileOnlyRowsPerSecond: 1e9 / profileNs,
            driftP50: drift[drift.count / 2], driftP99: drift[min(drift.count - 1, drift.count * 99 / 100)],
            qualityP50: quality[quality.count / 2],
            bytesPerColumnBucket: Double(footprint.bytes) / Double(max(1, footprint.columnBuckets)),
            bytesPerColumnDayBucket: dayBytes, buckets: footprint.buckets)
    }

    func markdown(_ r: Result) -> String {
        let verdict = r.profileOnlyRowsPerSecond >= 500_000 ? "met" : "**not met**"
        return """
            ## Profiles and drift (`vigil bench-profiles`)

            Written on \(BenchmarkReport.today()). Machine: \(BenchmarkReport.machine())

            Workload: \(r.rows) predictions of one model over 30 days with 20 numeric features (rounded to
            2 decimals) and 10 categorical ones (5–50 categories), in-process on one core (`Engine.ingest`),
            best of two runs. The profile cost is the difference between ingesting with and without profiles
            (each row updates its hour and its day bucket). Drift and quality queries merge 30 days of
            buckets and compare 30 columns with a 20,000-row reference (suggested rules). The rows are generated
            before the clock starts, so each row's 30-entry feature dictionary comes from main memory: the
            admission checks (feature count, name and value lengths) pay that miss even without profiles, where a
            server reads the features of a row it has just decoded from cache.

            | measure | value |
            |---|---:|
            | ingest with profiles | \(Int(r.rowsPerSecondWithProfiles)) rows/s |
            | ingest without profiles | \(Int(r.rowsPerSecondWithoutProfiles)) rows/s |
            | profile update per row (30 features, 2 buckets) | \(String(format: "%.0f", r.profileNanosecondsPerRow)) ns = \(Int(r.profileOnlyRowsPerSecond)) rows/s |
            | drift query, 30 days, 30 columns: p50 / p99 | \(String(format: "%.2f / %.2f", r.driftP50, r.driftP99)) ms |
            | quality query, 30 days: p50 | \(String(format: "%.2f", r.qualityP50)) ms |
            | memory per column per bucket (hour and day buckets) | \(Int(r.bytesPerColumnBucket)) B |
            | memory per column per day bucket | \(Int(r.bytesPerColumnDayBucket)) B |
            | profile buckets held | \(r.buckets) |

            Target: profile updates at ≥ 500,000 rows/s per core with these 30 features — \(verdict). A row updates 30 columns in
            two buckets (hour and day), so each column update has about 1/60 of the row's time. Under
            `perf record -e cpu-clock` (300,000 rows, 2026-12-04) the profiled ingest spends about 10 % hashing
            feature names and category strings (a row's names are looked up twice: once to add new columns,
            once to fill the row), 7.5 % re-growing the exact value tables of each new hour bucket (a numeric
            column holds a few hundred distinct values per hour), and most of the rest inside the per-value
            updates (value-table probes, the quantile sketch's logarithm, missing and type counts) inlined into
            `Engine.ingest`.

            """
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
