import Foundation
import VigilCore
import VigilServer

/// Writes synced deployments to a running server over its API.
struct HTTPDeploymentSink: DeploymentSink {
    let client: ServerClient

    func deployments(model: String) async throws -> [Deployment] {
        struct List: Decodable { var deployments: [Deployment] }
        do {
            let body = try await client.get("/v1/models/\(ServerClient.pathSegment(model))/deployments")
            return try JSONDecoder().decode(List.self, from: body).deployments
        } catch let failure as ServerClient.Failure where failure.status == 404 {
            return []  // a model the server has not seen yet
        }
    }

    func put(model: String, version: String, document: Data, replaces: String?) async throws -> [Change] {
        struct Written: Decodable { var changes: [Change] }
        let body = try await client.send(
            "PUT", "/v1/models/\(ServerClient.pathSegment(model))/deployments/\(ServerClient.pathSegment(version))",
            query: replaces.map { [("replaces", $0)] } ?? [], body: document)
        return try JSONDecoder().decode(Written.self, from: body).changes
    }
}
