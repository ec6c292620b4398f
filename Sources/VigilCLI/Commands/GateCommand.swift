import ArgumentParser
import Foundation
import VigilCore

/// `vigil gate check NAME --data FILE` (or `--profile FILE`): a job refuses invalid data. Exit status 0 on pass, 1 on fail (each
/// violated rule printed per column), 2 on an error.
struct GateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate", abstract: "Check a dataset against a data gate of a running server.",
        subcommands: [GateCheckCommand.self])
}

struct GateCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a CSV, NDJSON or JSON-array file (or a column profile) against a gate; exit 1 when it fails.",
        discussion: """
            Define the gate first: PUT /v1/gates/NAME with rules, or ?suggest=true with reference rows. A profile \
            is JSON: {"rows": N, "columns": {"fare": {"type": "numeric", "nulls": 3, "min": 0, "max": 480}}}.
            """)

    @OptionGroup var server: ServerOptions
    @Argument(help: "The gate.") var name: String
    @Option(help: "The rows to check (CSV with a header, NDJSON or a JSON array).") var data: String?
    @Option(help: "A column profile to check instead of rows (JSON: rows, and per column type, nulls, min, max, categories).")
    var profile: String?
    @Option(help: "The pipeline run the check is for (recorded with it).") var runId: String?
    @Option(help: "The dataset checked, NAMESPACE/NAME (recorded with it).") var dataset: String?
    @Flag(help: "Print the server's JSON instead of a summary.") var json = false

    func validate() throws {
        guard (data == nil) != (profile == nil) else { throw ValidationError("give --data FILE or --profile FILE") }
    }

    func run() async throws {
        let path = data ?? profile ?? ""
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            FileHandle.standardError.write(Data("vigil gate check: cannot read \(path): \(error.localizedDescription)\n".utf8))
            throw ExitCode(2)
        }
        var query: [(String, String)] = profile == nil ? [] : [("format", "profile")]
        if let runId { query.append(("run_id", runId)) }
        if let dataset { query.append(("dataset", dataset)) }
        let check: GateCheck
        let body: Data
        do {
            body = try await server.client.send(
                "POST", "/v1/gates/\(ServerClient.pathSegment(name))/check", query: query, body: bytes,
                contentType: profile == nil ? Self.contentType(path) : "application/json")
            check = try JSONDecoder().decode(GateCheck.self, from: body)
        } catch {
            FileHandle.standardError.write(Data("vigil gate check: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print(json ? String(decoding: body, as: UTF8.self) : Self.summary(check))
        if check.verdict == .fail { throw ExitCode(1) }
    }

    /// The media type a file's extension says (the server checks the body agrees); anything else lets the
    /// server tell from the content.
    static func contentType(_ path: String) -> String {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "csv": return "text/csv"
        case "ndjson", "jsonl": return "application/x-ndjson"
        case "json": return "application/json"
        default: return "application/octet-stream"
        }
    }

    static func summary(_ c: GateCheck) -> String {
        var lines = ["gate \(c.gate): \(c.verdict.rawValue) — \(c.rows) rows, \(c.violations) violation\(c.violations == 1 ? "" : "s")"]
        for column in c.columns {
            for v in column.violations { lines.append("  \(column.column): \(v.rule.rawValue): \(v.message)") }
        }
        return lines.joined(separator: "\n")
    }
}
