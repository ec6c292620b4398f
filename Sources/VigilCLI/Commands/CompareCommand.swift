import ArgumentParser
import Foundation
import VigilCore

/// `vigil compare MODEL VERSION`: is this version ready? Its offline metrics against online ones (train/serve
/// skew) and, with `--baseline`, its comparison with the version it replaces. Exits 1 on skew or a candidate
/// shown worse, so a deployment pipeline can stop on it.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Check a version: offline against online metrics, and against a baseline version.",
        discussion: """
            Reads a running server. The readiness part needs the version's deployment record with \
            offline_metrics (PUT /v1/models/MODEL/deployments/VERSION). Exit status: 0 when consistent and not \
            worse, 1 on train/serve skew or a candidate shown worse than --baseline, 2 on an error.
            """)

    @OptionGroup var server: ServerOptions
    @Argument(help: "The model.") var model: String
    @Argument(help: "The version to check.") var version: String
    @Option(help: "Also compare against this version (the one it replaces).") var baseline: String?
    @Option(help: "Compare within each value of this segment key too (with --baseline).") var by: String?
    @Option(help: "Window ending now, e.g. 7d (default: everything retained).") var window: String?
    @Option(help: "Skew tolerance: absolute for proportions and AUC, relative otherwise (default 0.02).")
    var tolerance: Double?
    @Option(help: "Non-inferiority margin against --baseline (default 0.01).") var margin: Double?
    @Flag(help: "Print the server's JSON instead of tables.") var json = false

    func run() async throws {
        let client = server.client
        var failed = false
        var query: [(String, String)] = []
        if let window { query.append(("window", window)) }
        do {
            var readinessQuery = query
            if let tolerance { readinessQuery.append(("tolerance", "\(tolerance)")) }
            let body = try await client.get(
                "/v1/models/\(ServerClient.pathSegment(model))/deployments/\(ServerClient.pathSegment(version))/readiness", query: readinessQuery)
            let report = try JSONDecoder().decode(ReadinessReport.self, from: body)
            print(json ? String(decoding: body, as: UTF8.self) : ComparisonTable.render(report))
            failed = failed || report.status == .skew
            if let baseline {
                var compareQuery = query + [("baseline", baseline), ("candidate", version)]
                if let by { compareQuery.append(("by", by.hasPrefix("segment.") ? by : "segment." + by)) }
                if let margin { compareQuery.append(("margin", "\(margin)")) }
                let body = try await client.get("/v1/models/\(ServerClient.pathSegment(model))/canary", query: compareQuery)
                let verdict = try JSONDecoder().decode(CanaryVerdict.self, from: body)
                let details = try await client.get("/v1/models/\(ServerClient.pathSegment(model))/compare", query: compareQuery)
                let comparison = try JSONDecoder().decode(VersionComparison.self, from: details)
                print(json ? String(decoding: details, as: UTF8.self) : ComparisonTable.render(comparison, verdict))
                failed = failed || verdict.verdict == .fail
            }
        } catch let error as ServerClient.Failure {
            FileHandle.standardError.write(Data("vigil compare: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        if failed { throw ExitCode(1) }
    }
}
