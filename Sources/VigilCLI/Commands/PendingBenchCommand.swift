import ArgumentParser
import Foundation

/// `vigil bench-pending`: memory per pending prediction up to 10⁸, and its section of `docs/benchmarks.md`.
struct PendingBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-pending",
        abstract: "Measure memory per pending prediction at 10^7 and 10^8 predictions (generated while ingested).",
        discussion: "Build in release mode: swift run -c release vigil bench-pending. 10^8 needs about 8 GB.")

    @Option(help: "Comma-separated numbers of predictions.") var sizes: String = "10000000,100000000"
    @Option(help: "Markdown file whose section is replaced (empty to skip).") var output: String = "docs/benchmarks.md"

    func run() throws {
        #if DEBUG
            FileHandle.standardError.write(
                Data("warning: debug build; use `swift run -c release vigil bench-pending`\n".utf8))
        #endif
        let counts = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--sizes needs positive numbers, e.g. 10000000,100000000")
        }
        let benchmark = PendingBenchmark(sizes: counts)
        let section = benchmark.markdown(benchmark.run { print($0) })
        try BenchmarkReport.publish(section, to: output)
    }
}
