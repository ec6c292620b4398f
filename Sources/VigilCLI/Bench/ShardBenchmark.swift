import Foundation
import VigilCore
import VigilServer

/// Measures batch ingest with the shards run side by side on the machine's cores, for 1 and more shards and
/// 0, 6 and 30 features per prediction: the in-process part of what `vigil serve` does with a batch.
struct ShardBenchmark {
    struct Result {
        var shards: Int
        var features: Int
        var events: Int
        var eventsPerSecond: Double
    }

    var predictions: Int
    var shardCounts: [Int]
    var featureCounts: [Int]
    /// Gives the numeric columns quintile bin edges first, as a reference does, so every column is sliced
    /// (without edges only the categorical ones are).
    var numericBins = false
    var batchSize = 1000

    /// Batches as a client sends them: predictions in time order, then the labels that arrived meanwhile
    /// (80 % of predictions, 0–48 h later), `size` rows each.
    static func batches(predictions n: Int, features: Int, size: Int) -> [Either] {
        // The first numeric and categorical columns, in the workload's proportion (2 numeric : 1 categorical).
        let kept = Set(
            ProfileBenchmark.numeric.prefix(features * 2 / 3)
                + ProfileBenchmark.categorical.prefix(features - features * 2 / 3))
        let rows = ProfileBenchmark.predictions(n).map { p in
            var p = p
            p.features = p.features.filter { kept.contains($0.key) }
            return p
        }
        var rng = SplitMix64(seed: 5)
        var labels: [Feedback] = []
        for p in rows where rng.next() % 10 < 8 {
            let lag = Int64(rng.next() % (48 * 3_600_000))
            let y =
                Double(rng.next() % 10_000) / 10_000
                < (p.score.flatMap { if case .probability(let s) = $0 { s } else { nil } } ?? 0.5)
            labels.append(Feedback(id: p.id, time: p.time + .milliseconds(lag), label: .number(y ? 1 : 0)))
        }
        labels.sort { $0.time < $1.time }
        var out: [Either] = []
        var j = 0
        for start in stride(from: 0, to: rows.count, by: size) {
            let chunk = Array(rows[start..<min(rows.count, start + size)])
            out.append(.predictions(chunk))
            let until = chunk.last!.time
            var due: [Feedback] = []
            while j < labels.count, labels[j].time <= until {
                due.append(labels[j])
                j += 1
                if due.count == size {
                    out.append(.feedback(due))
                    due = []
                }
            }
            if !due.isEmpty { out.append(.feedback(due)) }
        }
        if j < labels.count { out.append(.feedback(Array(labels[j...]))) }
        return out
    }

    /// The numeric columns' slice bins as a reference of the first 10,000 predictions gives them (the server's
    /// `DataProfile.sliceEdges`).
    static func referenceEdges(_ batches: [Either]) -> [String: [Double]] {
        var reference = DataProfile()
        var rows = 0
        for case .predictions(let batch) in batches where rows < 10_000 {
            for p in batch { reference.add(features: p.features) }
            rows += batch.count
        }
        return reference.sliceEdges
    }

    enum Either {
        case predictions([Prediction])
        case feedback([Feedback])

        var count: Int {
            switch self {
            case .predictions(let p): p.count
            case .feedback(let f): f.count
            }
        }
    }

    func run(progress: (String) -> Void) -> [Result] {
        var results: [Result] = []
        for features in featureCounts {
            progress("generating \(predictions) predictions with \(features) features")
            let batches = Self.batches(predictions: predictions, features: features, size: batchSize)
            let events = batches.reduce(0) { $0 + $1.count }
            let edges = numericBins ? Self.referenceEdges(batches) : [:]
            for shards in shardCounts {
                var configuration = EngineConfiguration()
                configuration.shards = shards
                var best = 0.0
                for run in 1...2 {
                    var engine = Engine(configuration: configuration)
                    if numericBins { engine.setSliceEdges(model: "bench", edges) }
                    let seconds = EngineBenchmark.seconds {
                        for batch in batches {
                            switch batch {
                            case .predictions(let p): _ = engine.ingest(p, run: ShardWorkers.onCores)
                            case .feedback(let f): _ = engine.ingest(f, run: ShardWorkers.onCores)
                            }
                        }
                    }
                    progress(
                        "  \(shards) shard(s), \(features) features, run \(run): \(events) events in \(String(format: "%.2f", seconds)) s"
                    )
                    best = max(best, Double(events) / seconds)
                }
                results.append(Result(shards: shards, features: features, events: events, eventsPerSecond: best))
            }
        }
        return results
    }

    func markdown(_ results: [Result]) -> String {
        var rows = ""
        for features in featureCounts {
            let one = results.first { $0.features == features && $0.shards == 1 }?.eventsPerSecond
            for r in results where r.features == features {
                let speedup = one.map { String(format: "%.2f×", r.eventsPerSecond / $0) } ?? "—"
                rows += "| \(r.features) | \(r.shards) | \(Int(r.eventsPerSecond)) | \(speedup) |\n"
            }
        }
        return """
            ## Shards (`vigil bench-shards`)

            Written on \(BenchmarkReport.today()). Machine: \(BenchmarkReport.machine())

            Workload: \(predictions) predictions of one binary model over 30 days and labels for 80 % of them
            (0–48 h later), sent as batches of \(batchSize) rows like a client's (`Engine.ingest(_:run:)`, the
            path `vigil serve` takes after decoding), with 0, 6 or 30 features (2 numeric : 1 categorical,
            profiled; \(numericBins ? "every column sliced: the numeric ones given quintile edges first, as a reference gives them" : "the categorical ones sliced, the numeric ones have no bin edges (no reference)")). The shards of each batch run side by side (`ShardWorkers`, as in the server); best of
            two runs. In-process: no HTTP, no log.

            | features | shards | events/s | vs 1 shard |
            |---:|---:|---:|---:|
            \(rows)
            """
    }
}
