import Foundation
import VigilCore

/// Measures the engine at one size: ingest rate, memory per pending prediction, query latency.
struct EngineBenchmark {
    struct Result {
        var predictions: Int
        var feedback: Int
        /// Best of the timed runs.
        var ingestSeconds: Double
        var eventsPerSecond: Double { Double(predictions + feedback) / ingestSeconds }
        var joinBytesPerPendingBeyondId: Double
        var joinBytesPerPendingTotal: Double
        var rssBytesPerPrediction: Double?
        var queries: [(name: String, p50: Double, p99: Double)]
    }

    var size: Int
    var queryCount = 2000
    var timedRuns = 2

    func run(log: (String) -> Void) throws -> Result {
        log("  generating \(size) predictions…")
        let workload = SyntheticWorkload(predictions: size)
        // The first run touches fresh memory: it gives the resident-memory growth, and warms the VM
        // (slow the first time it touches memory) for the timed runs that follow.
        var engine = Engine()
        let rssBefore = Self.residentBytes()
        ingest(workload, into: &engine)
        let rssAfter = Self.residentBytes()
        var seconds = Double.infinity
        for run in 1...timedRuns {
            engine = Engine()
            let t = Self.seconds { ingest(workload, into: &engine) }
            log("  run \(run): ingested \(workload.events.count) events in \(String(format: "%.3f", t)) s")
            seconds = min(seconds, t)
        }
        let memory = engine.memoryFootprint
        let pending = engine.statistics.pendingPredictions
        let queries = try measureQueries(engine, workload)
        return Result(
            predictions: workload.predictions, feedback: workload.feedback, ingestSeconds: seconds,
            joinBytesPerPendingBeyondId: memory.bytesPerPendingBeyondId,
            joinBytesPerPendingTotal: Double(memory.joinIndex) / Double(max(pending, 1)),
            rssBytesPerPrediction: rssBefore.flatMap { b in
                rssAfter.map { Double($0 - b) / Double(workload.predictions) }
            },
            queries: queries)
    }

    private func ingest(_ workload: SyntheticWorkload, into engine: inout Engine) {
        for event in workload.events {
            switch event {
            case .prediction(let p): _ = try? engine.ingest(p)
            case .feedback(let f): _ = try? engine.ingest(f)
            }
        }
    }

    static func seconds(_ body: () -> Void) -> Double {
        let d = ContinuousClock().measure(body)
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private func measureQueries(_ engine: Engine, _ workload: SyntheticWorkload) throws -> [(String, Double, Double)] {
        let core = ["count", "labeled_count", "label_coverage", "accuracy", "precision", "recall"]
        let cases: [(String, Duration, [String]?)] = [
            ("last 1d, 6 metrics", .seconds(86_400), core),
            ("last 7d, 6 metrics", .seconds(7 * 86_400), core),
            ("last 7d, + roc_auc", .seconds(7 * 86_400), core + ["roc_auc"]),
            ("last 30d, all metrics", .seconds(30 * 86_400), nil),
        ]
        var rng = SplitMix64(seed: 7)
        var results: [(String, Double, Double)] = []
        let clock = ContinuousClock()
        for (name, length, names) in cases {
            var samples: [Double] = []
            samples.reserveCapacity(queryCount)
            for _ in 0..<queryCount {
                // "now" anywhere in the last 36 hours, at a random second: both window edges need minute buckets.
                let offset = Int64(rng.next() % (36 * 3600)) * 1000
                let now = workload.end - .milliseconds(offset)
                let d = try clock.measure {
                    _ = try engine.metrics(model: "bench", window: .last(length, now: now), names: names)
                }
                samples.append(Double(d.components.attoseconds) / 1e12 + Double(d.components.seconds) * 1e6)
            }
            samples.sort()
            results.append((name, samples[samples.count / 2], samples[Int(Double(samples.count) * 0.99)]))
        }
        return results
    }

    /// Resident set size from /proc/self/statm (Linux); `nil` elsewhere.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
