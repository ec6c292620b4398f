import Logging
import ServiceLifecycle
import VigilCore

/// Syncs the configured MLflow registered models into deployments every `interval` (`vigil serve
/// --mlflow-tracking-uri URL --mlflow-model NAME[=MODEL]`). A failed sync is logged and retried at the next
/// tick; it never stops the server.
struct MLflowPoller: Service {
    let configuration: MLflowConfiguration
    let sink: RegistryDeploymentSink
    let logger: Logger

    func run() async throws {
        let sync = MLflowSync(
            trackingURI: configuration.trackingURI, token: configuration.token, options: configuration.options)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            for (mlflowModel, model) in configuration.models {
                do {
                    let report = try await sync.run(mlflowModel: mlflowModel, model: model, into: sink)
                    if !report.changes.isEmpty {
                        logger.info(
                            "mlflow sync",
                            metadata: [
                                "model": "\(report.model)", "changes": "\(report.changes.joined(separator: "; "))",
                            ])
                    }
                } catch {
                    logger.warning("mlflow sync failed", metadata: ["model": "\(mlflowModel)", "error": "\(error)"])
                }
            }
            do {
                try await Task.sleep(for: configuration.interval)
            } catch {
                return
            }
        }
    }
}

/// What the server syncs from MLflow, and how often.
public struct MLflowConfiguration: Sendable {
    public var trackingURI: String
    public var token: String?
    /// MLflow registered model → Vigil model.
    public var models: [(String, String)]
    public var interval: Duration
    public var options: MLflowSync.Options

    public init(
        trackingURI: String, token: String? = nil, models: [(String, String)], interval: Duration = .seconds(300),
        options: MLflowSync.Options = MLflowSync.Options()
    ) {
        self.trackingURI = trackingURI
        self.token = token
        self.models = models
        self.interval = interval
        self.options = options
    }
}
