import Foundation
import VigilCore

/// Writes synced deployments straight into the server's registry (the `--mlflow-model` poller).
struct RegistryDeploymentSink: DeploymentSink {
    let registry: DeploymentRegistry
    let clock: @Sendable () -> Timestamp

    func deployments(model: String) async throws -> [Deployment] { try await registry.all(model: model) }

    func put(model: String, version: String, document: Data, replaces: String?) async throws -> [Change] {
        let body = try DeploymentBody.decode(document)
        return try await registry.put(model: model, version: version, body: body, replaces: replaces, at: clock())
            .changes
    }
}
