import Foundation

/// Renders benchmark results as `docs/benchmarks.md`, with the machine and the date.
struct BenchmarkReport {
    var results: [EngineBenchmark.Result]

    func markdown() -> String {
        var out = """
            # Benchmarks

            Written by `swift run -c release vigil bench` on \(Self.today()).

            Machine: \(Self.machine())

            Workload: one binary model, two versions, predictions evenly spread over 30 days, 80 % labeled
            0–48 h later, predictions and feedback merged in time order and ingested in-process on one
            core, no I/O (`Engine.ingest(_: Prediction)` / `(_: Feedback)`). A first, untimed run measures
            resident-memory growth (RSS) and warms the VM, which is slow the first time it touches
            memory; the best of two timed runs follows. Run-to-run spread on this VM is about ±10 %.
            Queries ask for a sliding window ending at a random second in the last 36 h, so both edges
            need minute buckets.

            ## Ingest and memory

            | predictions | feedback | events/s | join B/pending beyond id | join B/pending incl. 16-B id | RSS growth B/prediction (whole engine) |
            |---:|---:|---:|---:|---:|---:|

            """
        for r in results {
            out += String(
                format: "| %d | %d | %.0f | %.1f | %.1f | %@ |\n", r.predictions, r.feedback,
                r.eventsPerSecond, r.joinBytesPerPendingBeyondId, r.joinBytesPerPendingTotal,
                r.rssBytesPerPrediction.map { String(format: "%.1f", $0) } ?? "n/a")
        }
        out +=
            "\n## Window-query latency (µs)\n\n| query | "
            + results.map { "\($0.predictions) p50 / p99" }.joined(separator: " | ") + " |\n"
        out += "|---|" + results.map { _ in "---:|" }.joined() + "\n"
        if let first = results.first {
            for (i, q) in first.queries.enumerated() {
                out += "| \(q.name) | "
                out += results.map { String(format: "%.1f / %.1f", $0.queries[i].p50, $0.queries[i].p99) }.joined(
                    separator: " | ")
                out += " |\n"
            }
        }
        return out
    }

    /// Prints a benchmark's section and, unless `output` is empty, puts it in that markdown file (replacing the
    /// section with the same heading).
    static func publish(_ section: String, to output: String) throws {
        print(section)
        guard !output.isEmpty else { return }
        let existing = (try? String(contentsOfFile: output, encoding: .utf8)) ?? "# Benchmarks\n"
        try replacingSection(in: existing, with: section).write(toFile: output, atomically: true, encoding: .utf8)
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

    static func today() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date())
    }

    static func machine() -> String {
        let cpu =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let memory = ProcessInfo.processInfo.physicalMemory / (1 << 30)
        return
            "\(cpu), \(ProcessInfo.processInfo.processorCount) cores, \(memory) GiB, \(ProcessInfo.processInfo.operatingSystemVersionString)"
    }
}
