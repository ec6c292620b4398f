import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Reads a model's registered versions, aliases and training runs from an MLflow tracking server's REST API.
struct MLflowClient: Sendable {
    var trackingURI: String
    /// Sent as `Authorization: Bearer …` (MLflow behind an auth proxy, Databricks).
    var token: String?

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func registeredModel(_ name: String) async throws -> MLflowRecords.RegisteredModel {
        let response: MLflowRecords.RegisteredModelResponse = try await get(
            "/api/2.0/mlflow/registered-models/get", [("name", name)])
        return response.registeredModel
    }

    /// Every version of `name`, following the search's pages.
    func versions(_ name: String) async throws -> [MLflowRecords.ModelVersion] {
        var all: [MLflowRecords.ModelVersion] = []
        var token: String?
        repeat {
            var query = [("filter", "name='\(name.replacingOccurrences(of: "'", with: "\\'"))'"), ("max_results", "200")]
            if let token { query.append(("page_token", token)) }
            let page: MLflowRecords.VersionsPage = try await get("/api/2.0/mlflow/model-versions/search", query)
            all += page.modelVersions ?? []
            token = page.nextPageToken.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil && all.count < 100_000
        return all
    }

    func run(_ id: String) async throws -> MLflowRecords.Run {
        let response: MLflowRecords.RunResponse = try await get("/api/2.0/mlflow/runs/get", [("run_id", id)])
        return response.run
    }

    private func get<T: Decodable>(_ path: String, _ query: [(String, String)]) async throws -> T {
        let base = trackingURI.hasSuffix("/") ? String(trackingURI.dropLast()) : trackingURI
        var components = URLComponents(string: base + path)
        components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        guard let url = components?.url?.absoluteString else {
            throw Failure(description: "invalid MLflow tracking URI '\(trackingURI)'")
        }
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            throw Failure(description: "cannot reach MLflow at \(trackingURI): \(error)")
        }
        let body = Data((try await response.body.collect(upTo: 64 << 20)).readableBytesView)
        guard response.status.code < 300 else {
            let message =
                ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["message"] as? String
                ?? String(decoding: body.prefix(300), as: UTF8.self)
            throw Failure(description: "MLflow \(path): HTTP \(response.status.code): \(message)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw Failure(description: "MLflow \(path): unexpected answer: \(error)")
        }
    }
}
