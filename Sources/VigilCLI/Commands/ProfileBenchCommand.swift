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
        print(section)
        guard !output.isEmpty else { return }
        let existing = (try? String(contentsOfFile: output, encoding: .utf8)) ?? "# Benchmarks\n"
        try Self.replacingSection(in: existing, with: section).write(toFile: output, atomically: true, encoding: .utf8)
        print("wrote \(output)")
    }

    /// `text` with the section that starts like `section` (up to the next `## ` heading) replaced, or appended.
    static func replacingSection(in text: String, with section: String) -> String {
        let heading = String(section.prefix { $0 != "\n" })
        var lines = text.components(separatedBy: "\n")
        if let start = lines.firstIndex(of: heading) {
            let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("## ") } ?? lines.count
            lines.removeSubrange(start..<end)
            lines.insert(contentsOf: section.components(separatedBy: "\n"), at: start)
            return lines.joined(separator: "\n")
        }
        return text.trimmingCharacters(in: .newlines) + "\n\n" + section
    }
}
