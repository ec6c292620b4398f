import ArgumentParser
import Foundation

/// `vigil bench`: measures the engine in-process and writes `docs/benchmarks.md`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the engine: ingest rate, memory per pending prediction, window-query latency.",
        discussion: "Build in release mode for meaningful numbers: swift run -c release vigil bench")

    @Option(help: "Comma-separated numbers of predictions.") var sizes: String = "10000,1000000,10000000"
    @Option(help: "Queries per measured query shape.") var queries: Int = 2000
    @Option(help: "Markdown file to write the results to (empty to skip).") var output: String = "docs/benchmarks.md"

    init() {}

    func run() throws {
        #if DEBUG
            FileHandle.standardError.write(Data("warning: debug build; use `swift run -c release vigil bench`\n".utf8))
        #endif
        let counts = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty else { throw ValidationError("--sizes needs numbers, e.g. 10000,1000000") }
        var results: [EngineBenchmark.Result] = []
        for n in counts {
            print("size \(n):")
            let r = try EngineBenchmark(size: n, queryCount: queries).run { print($0) }
            print(
                String(
                    format:
                        "  ingest: %.0f events/s; join: %.1f B/pending beyond id (%.1f B with the id's 16-B String)",
                    r.eventsPerSecond, r.joinBytesPerPendingBeyondId, r.joinBytesPerPendingTotal))
            for q in r.queries { print(String(format: "  %@: p50 %.1f µs, p99 %.1f µs", q.name, q.p50, q.p99)) }
            results.append(r)
        }
        guard !output.isEmpty else { return }
        let markdown = BenchmarkReport(results: results).markdown()
        try markdown.write(toFile: output, atomically: true, encoding: .utf8)
        print("wrote \(output)")
    }
}
