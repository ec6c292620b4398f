import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VigilCore
import VigilServer
import VigilStore

/// A server on a fresh data directory, driven over a real loopback socket.
struct ServerHarness {
    let directory: String
    var configuration: ServerConfiguration

    init(tokens: String = "", directory: String? = nil) throws {
        self.directory =
            directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("vigil-test-\(UUID().uuidString)").path
        configuration = ServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = self.directory
        configuration.synchronous = .normal
        configuration.tokens = try TokenStore(parsing: tokens)
    }

    /// Starts the server, waits until it has recovered, and runs `body` with a client.
    func run<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let server = try await VigilServer(configuration)
        return try await server.application().test(.live) { client in
            try await waitUntilReady(client)
            return try await body(client)
        }
    }

    private func waitUntilReady(_ client: some TestClientProtocol) async throws {
        for _ in 0..<500 {
            let auth = configuration.tokens.isEnabled ? Self.readHeaders : [:]
            let response = try await client.execute(uri: "/readyz", method: .get, headers: auth, body: nil)
            if response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("server did not become ready")
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    static let writeToken = "write:test-writer-secret"
    static let readToken = "read:test-reader-secret"
    static let writeHeaders: HTTPFields = [.authorization: "Bearer test-writer-secret"]
    static let readHeaders: HTTPFields = [.authorization: "Bearer test-reader-secret"]
}

extension TestClientProtocol {
    /// Sends `body` and returns the status with the decoded JSON object.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers: HTTPFields = [:]
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await send(method, uri, body: body.map { ByteBuffer(string: $0) }, headers: headers)
    }

    /// The body of `GET uri` as text (the Prometheus exposition, a page).
    func text(_ uri: String, headers: HTTPFields = [:]) async throws -> String {
        let response = try await execute(uri: uri, method: .get, headers: headers, body: nil)
        return String(buffer: response.body)
    }

    func send(
        _ method: HTTPRequest.Method, _ uri: String, body: ByteBuffer?, headers: HTTPFields = [:]
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        let response = try await execute(uri: uri, method: method, headers: headers, body: body)
        let data = Data(response.body.readableBytesView)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (response.status, object)
    }

    /// Posts the whole taxi fixture in NDJSON batches and checks every batch is accepted.
    func ingestTaxi(batchSize: Int = 1000, headers: HTTPFields = [:]) async throws {
        for batch in TaxiFixture.batches(TaxiFixture.predictionLines, size: batchSize) {
            let (status, body) = try await send(.post, "/v1/predictions", batch, headers: headers)
            #expect(status == .ok, "\(body)")
        }
        for batch in TaxiFixture.batches(TaxiFixture.feedbackLines, size: batchSize) {
            let (status, body) = try await send(.post, "/v1/feedback", batch, headers: headers)
            #expect(status == .ok, "\(body)")
        }
    }
}

/// `value` of metric `name` in a metrics response.
func metric(_ response: [String: Any], _ name: String) -> Double? {
    let window = response["window"] as? [String: Any]
    let metrics = window?["metrics"] as? [String: Any]
    return (metrics?[name] as? [String: Any])?["value"] as? Double
}

func expectClose(_ actual: Double?, _ expected: Any?, _ what: String, tolerance: Double = 1e-9) {
    guard let actual, let expected = (expected as? NSNumber)?.doubleValue else {
        Issue.record(
            "\(what): missing value (actual \(String(describing: actual)), expected \(String(describing: expected)))")
        return
    }
    #expect(abs(actual - expected) <= tolerance * max(1, abs(expected)), "\(what): \(actual) vs \(expected)")
}
