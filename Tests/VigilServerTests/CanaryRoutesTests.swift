import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilServer

/// The canary verdict as a rollout controller reads it: Argo Rollouts' `web` provider (GET, then the JSON path
/// `{$.verdict}` against its success and failure conditions) and Flagger's webhooks (POST, status only).
@Suite struct CanaryRoutesTests {
    /// What an Argo Rollouts AnalysisTemplate with `successCondition: result == "pass"` and
    /// `failureCondition: result == "fail"` concludes from one measurement.
    static func argoMeasurement(_ client: some TestClientProtocol, _ uri: String) async throws -> String {
        let (status, body) = try await client.send(.get, uri)
        guard status == .ok else { return "Error" }
        let result = body["verdict"] as? String
        return result == "pass" ? "Successful" : result == "fail" ? "Failed" : "Inconclusive"
    }

    @Test func aCanaryWorseInOneRegionFailsAndNamesIt() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            try await CanaryFixture.ingest(client)
            let uri = "/v1/models/fraud/canary?baseline=v1&candidate=v2&by=segment.region&margin=0.05"
            #expect(try await Self.argoMeasurement(client, uri) == "Failed")
            let (_, body) = try await client.send(.get, uri)
            #expect(body["decided_by"] as? String == "sequential")
            let worse = body["worse"] as? [[String: Any]] ?? []
            let places = Set(worse.map { (($0["segment"] as? [String: String])?["value"]) ?? "overall" })
            // Every metric is worse in apac; no other region is.
            #expect(places.subtracting(["overall"]) == ["apac"], "\(places)")
            let inApac = worse.filter { ($0["segment"] as? [String: String])?["value"] == "apac" }
            #expect(Set(inApac.map { $0["metric"] as? String }).count == 5)
            #expect((body["recommendation"] as? String)?.hasPrefix("roll back to v1: ") == true, "\(body)")
            // Flagger: the same verdict as a refused webhook.
            let payload = #"{"name": "fraud", "namespace": "risk", "phase": "Progressing", "metadata": {"baseline": "v1", "candidate": "v2", "by": "segment.region", "margin": "0.05"}}"#
            let (status, flagger) = try await client.send(.post, "/v1/models/fraud/canary", payload)
            #expect(status == .preconditionFailed)
            #expect(flagger["verdict"] as? String == "fail")
        }
    }

    @Test func anEqualCanaryPassesAndAnUnlabeledOneWaits() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            // Without apac, v2 is the same model as v1.
            try await CanaryFixture.ingest(client, labels: false) { !$0.contains(#""region":"apac""#) }
            let uri = "/v1/models/fraud/canary?baseline=v1&candidate=v2&margin=0.05"
            #expect(try await Self.argoMeasurement(client, uri) == "Inconclusive")
            let (_, waiting) = try await client.send(.get, uri)
            #expect((waiting["recommendation"] as? String)?.hasPrefix("wait: ") == true, "\(waiting)")
            #expect((waiting["undecided"] as? [String])?.count == 5)
            for batch in TaxiFixture.batches(CanaryFixture.feedbackLines, size: 4000) {
                #expect(try await client.send(.post, "/v1/feedback", batch).0 == .ok)
            }
            #expect(try await Self.argoMeasurement(client, uri) == "Successful")
            let (_, passed) = try await client.send(.get, uri)
            #expect((passed["recommendation"] as? String)?.hasPrefix("promote v2") == true, "\(passed)")
            let labels = passed["labels"] as? [String: Int]
            #expect(labels?["candidate"] == CanaryFixture.rows("predictions.csv").filter {
                $0["version"] == "v2" && $0["region"] != "apac"
            }.count)
            // Flagger lets a passing canary through.
            #expect(try await client.send(.post, "/v1/models/fraud/canary?baseline=v1&candidate=v2&margin=0.05").0 == .ok)
        }
    }

    @Test func theVersionsDefaultToThePrimaryAndTheCanaryDeployment() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            try await CanaryFixture.ingest(client)
            let (missing, refused) = try await client.send(.get, "/v1/models/fraud/canary")
            #expect(missing == .badRequest)
            #expect(((refused["error"] as? [String: Any])?["message"] as? String)?.contains("primary deployment") == true)
            #expect(try await client.send(.put, "/v1/models/fraud/deployments/v1", #"{"stage": "primary", "traffic_share": 0.8}"#).0 == .created)
            #expect(try await client.send(.put, "/v1/models/fraud/deployments/v2", #"{"stage": "canary", "traffic_share": 0.2}"#).0 == .created)
            let (status, body) = try await client.send(.get, "/v1/models/fraud/canary?by=segment.region&margin=0.05")
            #expect(status == .ok)
            #expect(body["baseline"] as? String == "v1" && body["candidate"] as? String == "v2")
            #expect(body["verdict"] as? String == "fail")
        }
    }

    @Test func badCanaryRequestsAreRefusedNamingTheField() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            try await CanaryFixture.ingest(client, labels: false)
            for (method, uri, body, code) in [
                (HTTPRequest.Method.get, "baseline=v1&candidate=v2&decide=maybe", nil, "invalid_comparison"),
                (.get, "baseline=v1&candidate=v2&margin=2", nil, "invalid_comparison"),
                (.get, "baseline=v1&candidate=v2&threshold=1", nil, "unknown_parameter"),
                (.post, "", #"{"name": "x", "colour": "red"}"#, "unknown_field"),
                (.post, "", #"{"metadata": {"baseline": 1}}"#, "invalid_field"),
                (.post, "", "[1, 2]", "malformed_json"),
                (.post, "", #"{"metadata": {"baseline": "v1", "candidate": "v2", "window": "soon"}}"#, "invalid_window"),
            ] as [(HTTPRequest.Method, String, String?, String)] {
                let (status, answer) = try await client.send(method, "/v1/models/fraud/canary?\(uri)", body)
                #expect(status == .badRequest, "\(uri) \(body ?? ""): \(answer)")
                #expect((answer["error"] as? [String: Any])?["code"] as? String == code, "\(uri) \(body ?? ""): \(answer)")
            }
            #expect(try await client.send(.get, "/v1/models/nope/canary?baseline=v1&candidate=v2").0 == .notFound)
        }
    }
}
