import ArgumentParser
import Foundation

/// `vigil bench-shards`: measures batch ingest with 1 and more shards, and writes its section of
/// `docs/benchmarks.md`.
struct ShardBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-shards",
        abstract: "Benchmark batch ingest with the engine's shards side by side, with 0, 6 and 30 features.",
        discussion: "Build in release mode for meaningful numbers: swift run -c release vigil bench-shards")

    @Option(help: "Predictions over 30 days (labels for 80 % of them are added).") var predictions: Int = 1_000_000
    @Option(help: "Comma-separated shard counts.") var shards: String = "1,2"
    @Option(help: "Comma-separated feature counts.") var features: String = "0,6,30"
    @Flag(help: "Give numeric columns quintile bin edges first, as a reference does, so every column is sliced.")
    var numericBins = false
    @Option(help: "Markdown file whose shards section is replaced (empty to skip).") var output: String =
        "docs/benchmarks.md"

    func run() throws {
        #if DEBUG
            FileHandle.standardError.write(
                Data("warning: debug build; use `swift run -c release vigil bench-shards`\n".utf8))
        #endif
        func numbers(_ text: String, _ name: String) throws -> [Int] {
            let values = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ $0 >= 0 }) else {
                throw ValidationError("--\(name) needs comma-separated numbers, e.g. 1,2")
            }
            return values
        }
        let benchmark = ShardBenchmark(
            predictions: predictions, shardCounts: try numbers(shards, "shards").map { max(1, $0) },
            featureCounts: try numbers(features, "features"), numericBins: numericBins)
        let section = benchmark.markdown(benchmark.run { print($0) })
        try BenchmarkReport.publish(section, to: output)
    }
}
