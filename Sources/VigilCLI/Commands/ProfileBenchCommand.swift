import ArgumentParser
import Foundation

/// `vigil bench-profiles`: measures column profiles and drift queries, and writes their section of
/// `docs/benchmarks.md`.
struct ProfileBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-profiles",
        abstract: "Benchmark column profiles: update cost per row, drift-query latency, memory per column.",
        discussion: "Build in release mode for meaningful numbers: swift run -c release vigil bench-profiles")

    @Option(help: "Predictions over 30 days.") var rows: Int = 1_000_000
    @Option(help: "Drift and quality queries to time.") var queries: Int = 50
    @Option(help: "Markdown file whose profiles section is replaced (empty to skip).") var output: String =
        "docs/benchmarks.md"

    func run() throws {
        #if DEBUG
            FileHandle.standardError.write(
                Data("warning: debug build; use `swift run -c release vigil bench-profiles`\n".utf8))
        #endif
        let benchmark = ProfileBenchmark(rows: rows, queries: queries)
        let result = try benchmark.run { print($0) }
        let section = benchmark.markdown(result)
        try BenchmarkReport.publish(section, to: output)
    }
}
