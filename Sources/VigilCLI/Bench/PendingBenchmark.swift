import Foundation
import VigilCore

/// Memory per pending prediction at sizes the in-memory workload of `vigil bench` cannot hold (10⁸): the
/// predictions are generated as they are ingested, in batches, and none gets a label, so every one stays
/// pending in the join index.
struct PendingBenchmark {
    struct Result {
        var predictions: Int
        var pending: Int
        var seconds: Double
        var joinBytesPerPendingBeyondId: Double
        var joinBytesPerPendingTotal: Double
        var rssBytesPerPrediction: Double?
    }

    var sizes: [Int]
    static let batch = 4096

    func run(log: (String) -> Void) -> [Result] {
        sizes.map { n in
            log("\(n) predictions:")
            var engine = Engine()
            let rssBefore = EngineBenchmark.residentBytes()
            let start = Timestamp(milliseconds: 1_580_515_200_000)  // 2020-02-01
            let span: Int64 = 30 * 86_400_000 - 60_000  // within the 30-day label horizon: nothing is evicted
            var rng = SplitMix64(seed: 1)
            var batch: [Prediction] = []
            batch.reserveCapacity(Self.batch)
            let tenth = max(1, n / 10)
            let seconds = EngineBenchmark.seconds {
                for i in 0..<n {
                    let score = Double(rng.next() % 10_000) / 10_000
                    batch.append(
                        Prediction(
                            id: "p\(i)", time: Timestamp(milliseconds: start.milliseconds + span * Int64(i) / Int64(n)),
                            model: "bench", version: i % 10 == 0 ? "v2" : "v1", score: .probability(score),
                            prediction: .number(score >= 0.5 ? 1 : 0)))
                    if batch.count == Self.batch || i == n - 1 {
                        _ = engine.ingest(batch, run: Engine.sequentially)
                        batch.removeAll(keepingCapacity: true)
                    }
                    if (i + 1) % tenth == 0 { log("  \((i + 1) / tenth * 10) %") }
                }
            }
            let rssAfter = EngineBenchmark.residentBytes()
            let memory = engine.memoryFootprint
            let pending = engine.statistics.pendingPredictions
            let result = Result(
                predictions: n, pending: pending, seconds: seconds,
                joinBytesPerPendingBeyondId: memory.bytesPerPendingBeyondId,
                joinBytesPerPendingTotal: Double(memory.joinIndex) / Double(max(pending, 1)),
                rssBytesPerPrediction: rssBefore.flatMap { b in rssAfter.map { Double($0 - b) / Double(n) } })
            log(
                String(
                    format: "  %d pending; %.1f B/pending beyond the id (%.1f B with it); RSS growth %.1f B/prediction",
                    pending, result.joinBytesPerPendingBeyondId, result.joinBytesPerPendingTotal,
                    result.rssBytesPerPrediction ?? .nan))
            return result
        }
    }

    func markdown(_ results: [Result]) -> String {
        var out = """
            ## Memory per pending prediction at scale (`vigil bench-pending`)

            Written on \(BenchmarkReport.today()). Machine: \(BenchmarkReport.machine()). Release build, one shard.
            Unlabelled binary predictions (two versions, ids `p0`, `p1`, … — Swift keeps strings of up to 15 bytes
            inline, so the id costs its 16-byte `String` and nothing on the heap) over 30 days, generated as they
            are ingested in batches of \(Self.batch), so that 10⁸ fits: every one stays pending in the join index.
            The target is ≤ 48 B per pending prediction beyond the id.

            | predictions | pending | seconds | join B/pending beyond id | join B/pending incl. 16-B id | RSS growth B/prediction (whole engine) |
            |---:|---:|---:|---:|---:|---:|

            """
        for r in results {
            out += String(
                format: "| %d | %d | %.1f | %.1f | %.1f | %@ |\n", r.predictions, r.pending, r.seconds,
                r.joinBytesPerPendingBeyondId, r.joinBytesPerPendingTotal,
                r.rssBytesPerPrediction.map { String(format: "%.1f", $0) } ?? "—")
        }
        return out
    }
}
