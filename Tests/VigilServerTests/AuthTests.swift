import HTTPTypes
import HummingbirdTesting
import Testing
import VigilServer

/// Tokens: missing, wrong and read-only tokens cannot write, and a refused write stores nothing.
@Suite struct AuthTests {
    static let row = #"{"id":"a1","ts":"2024-01-01T00:00:00Z","model":"m","score":0.9,"prediction":1}"#

    @Test func writesNeedAWriteToken() async throws {
        let harness = try ServerHarness(tokens: "\(ServerHarness.writeToken),\(ServerHarness.readToken)")
        defer { harness.remove() }
        try await harness.run { client in
            let (missing, body) = try await client.send(.post, "/v1/predictions", Self.row)
            #expect(missing == .unauthorized)
            #expect((body["error"] as? [String: Any])?["code"] as? String == "unauthorized")
            let (wrong, _) = try await client.send(
                .post, "/v1/predictions", Self.row, headers: [.authorization: "Bearer not-the-secret"])
            #expect(wrong == .unauthorized)
            let (readOnly, _) = try await client.send(
                .post, "/v1/predictions", Self.row, headers: ServerHarness.readHeaders)
            #expect(readOnly == .forbidden)
            let (notBearer, _) = try await client.send(
                .post, "/v1/predictions", Self.row, headers: [.authorization: "Basic dGVzdDp0ZXN0"])
            #expect(notBearer == .unauthorized)

            // Nothing was ingested by the refused requests.
            let (_, models) = try await client.send(.get, "/v1/models", headers: ServerHarness.readHeaders)
            #expect((models["models"] as? [Any])?.isEmpty == true)
            let (unknown, _) = try await client.send(.get, "/v1/models/m/metrics", headers: ServerHarness.readHeaders)
            #expect(unknown == .notFound)

            let (ok, _) = try await client.send(.post, "/v1/predictions", Self.row, headers: ServerHarness.writeHeaders)
            #expect(ok == .ok)
            let (read, _) = try await client.send(.get, "/v1/models/m/metrics", headers: ServerHarness.readHeaders)
            #expect(read == .ok)
            let (noToken, _) = try await client.send(.get, "/v1/models")
            #expect(noToken == .unauthorized)
            let (health, _) = try await client.send(.get, "/healthz")
            #expect(health == .ok)
        }
    }

    @Test func tokenSpecsAreValidated() {
        #expect(throws: TokenError.self) { try TokenStore(parsing: "admin:longenoughsecret") }
        #expect(throws: TokenError.self) { try TokenStore(parsing: "write:short") }
        #expect(throws: TokenError.self) { try TokenStore(parsing: "nocolon") }
    }
}
