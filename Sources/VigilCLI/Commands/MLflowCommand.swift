import ArgumentParser
import Foundation
import VigilCore
import VigilServer

/// `vigil mlflow sync`: records an MLflow registry's versions as deployments of a running server.
struct MLflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlflow", abstract: "Sync MLflow's model registry into deployments.",
        subcommands: [MLflowSyncCommand.self])
}

/// How MLflow versions become deployments, shared by `vigil mlflow sync` and `vigil serve --mlflow-model`.
struct MLflowMappingOptions: ParsableArguments {
    @Option(help: "The Vigil version of MLflow version N, with {version} for N (default {version}; e.g. v{version}).")
    var versionTemplate: String?
    @Option(
        help: """
            An alias and the stage it means, ALIAS=STAGE (repeatable; stages primary, canary, shadow). Defaults: \
            champion, production, prod → primary; challenger, canary, staging → canary; shadow → shadow.
            """)
    var alias: [String] = []

    func options(_ env: [String: String]) throws -> MLflowSync.Options {
        var o = MLflowSync.Options()
        if let t = versionTemplate ?? env["VIGIL_MLFLOW_VERSION_TEMPLATE"] {
            guard t.contains("{version}") else { throw ValidationError("--version-template must contain {version}") }
            o.versionTemplate = t
        }
        for pair in alias {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let stage = Deployment.Stage(rawValue: parts[1]), stage != .retired else {
                throw ValidationError("--alias expects ALIAS=STAGE with a stage of primary, canary or shadow, got '\(pair)'")
            }
            o.stages[parts[0].lowercased()] = stage
        }
        return o
    }
}

struct MLflowSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Record a registered model's aliased versions as deployments, with their runs' metrics.",
        discussion: """
            Each version with an alias (or a legacy stage) becomes a deployment in the stage it maps to, with \
            its training run's metrics as offline metrics, the run, its git commit, user and input datasets. \
            A version synced before that lost its alias is retired. Running it again changes nothing unless \
            the registry changed. See docs/changes.md#mlflow.
            """)

    @OptionGroup var server: ServerOptions
    @Option(help: "The MLflow tracking server (default $MLFLOW_TRACKING_URI).") var trackingURI: String?
    @Option(help: "The MLflow registered model.") var model: String
    @Option(help: "The Vigil model to record under (default: the same name).") var vigilModel: String?
    @OptionGroup var mapping: MLflowMappingOptions
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        guard let uri = trackingURI ?? env["MLFLOW_TRACKING_URI"] else {
            throw ValidationError("give --tracking-uri (or set MLFLOW_TRACKING_URI)")
        }
        let sync = MLflowSync(trackingURI: uri, token: env["MLFLOW_TRACKING_TOKEN"], options: try mapping.options(env))
        let report: MLflowSync.Report
        do {
            report = try await sync.run(mlflowModel: model, model: vigilModel, into: HTTPDeploymentSink(client: server.client))
        } catch {
            FileHandle.standardError.write(Data("vigil mlflow sync: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        let versions = report.versions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        print("\(report.mlflowModel) → \(report.model): \(versions.isEmpty ? "no aliased version" : versions.joined(separator: ", "))")
        print(report.changes.isEmpty ? "no change" : report.changes.map { "  \($0)" }.joined(separator: "\n"))
    }
}
