import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilCore
import VigilServer

/// Deployments and the change timeline over HTTP: records, stage and traffic rules, promotions, the entries
/// every kind of edit leaves, bad input, and a restart.
@Suite struct DeploymentRoutesTests {
    static let path = "/v1/models/fraud/deployments"

    static func changes(_ client: some TestClientProtocol, _ query: String = "") async throws -> [[String: Any]] {
        let (status, body) = try await client.send(.get, "/v1/models/fraud/changes\(query)")
        #expect(status == .ok, "\(body)")
        return body["changes"] as? [[String: Any]] ?? []
    }

    @Test func aCanaryIsRecordedPromotedAndEveryChangeIsOnTheTimeline() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let v1 = #"{"stage":"primary","traffic_share":0.9,"owner":"risk-team","code_ref":"1a2b3c","offline_metrics":{"roc_auc":0.91}}"#
            let (created, first) = try await client.send(.put, "\(Self.path)/v1", v1)
            #expect(created == .created, "\(first)")
            #expect((first["deployment"] as? [String: Any])?["owner"] as? String == "risk-team")
            #expect((first["changes"] as? [[String: Any]])?.first?["summary"] as? String == "v1 deployed as primary (90%)")
            let (canary, _) = try await client.send(
                .put, "\(Self.path)/v2", #"{"stage":"canary","traffic_share":0.1,"training_run":"mlflow:abc"}"#)
            #expect(canary == .created)

            // A second primary, or shares past 100%, conflict with the records there are.
            let (twoPrimaries, conflict) = try await client.send(.put, "\(Self.path)/v2", #"{"stage":"primary"}"#)
            #expect(twoPrimaries == .conflict)
            #expect((conflict["error"] as? [String: Any])?["code"] as? String == "stage_conflict")
            #expect(((conflict["error"] as? [String: Any])?["message"] as? String)?.hasPrefix("stage:") == true)
            let (over, overBody) = try await client.send(.put, "\(Self.path)/v2", #"{"traffic_share":0.2}"#)
            #expect(over == .conflict)
            #expect((overBody["error"] as? [String: Any])?["code"] as? String == "traffic_share_exceeded")

            // A promotion retires the old primary in the same call.
            let (promoted, promotion) = try await client.send(
                .put, "\(Self.path)/v2?replaces=v1", #"{"stage":"primary","traffic_share":1}"#)
            #expect(promoted == .ok, "\(promotion)")
            let (_, old) = try await client.send(.get, "\(Self.path)/v1")
            #expect(old["stage"] as? String == "retired")
            #expect(old["ended_at"] as? String != nil)
            #expect(old["traffic_share"] == nil)
            let (_, list) = try await client.send(.get, "\(Self.path)?stage=primary")
            #expect((list["deployments"] as? [[String: Any]])?.map { $0["version"] as? String } == ["v2"])

            let summaries = try await Self.changes(client).map { $0["summary"] as? String ?? "" }
            #expect(
                summaries == [
                    "v1 deployed as primary (90%)", "v2 deployed as canary (10%)", "v1: primary → retired",
                    "v1: traffic 90% → unset", "v2: canary → primary", "v2: traffic 10% → 100%",
                ])
            let stages = try await Self.changes(client, "?kind=stage")
            #expect(stages.map { $0["to"] as? String } == ["retired", "primary"])

            #expect(try await client.send(.delete, "\(Self.path)/v1").0 == .noContent)
            #expect(try await client.send(.delete, "\(Self.path)/v1").0 == .notFound)
        }
        // Durable: the records and the timeline survive a restart.
        try await harness.run { client in
            let (_, list) = try await client.send(.get, Self.path)
            #expect((list["deployments"] as? [[String: Any]])?.map { $0["version"] as? String } == ["v2"])
            let last = try await Self.changes(client).last
            #expect(last?["summary"] as? String == "v1: deployment record removed")
        }
    }

    @Test func referencesRulesSLOsAndCustomMetricsLandOnTheTimeline() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let row = #"{"id":"a","ts":"2024-01-01T00:00:00Z","model":"fraud","score":0.9,"prediction":1,"features":{"x":1.5}}"#
            #expect(try await client.send(.post, "/v1/predictions", row).0 == .ok)
            _ = try await client.send(.put, "/v1/models/fraud/reference", "x\n1.0\n2.0\n", headers: [.contentType: "text/csv"])
            let (rules, rulesBody) = try await client.send(
                .put, "/v1/models/fraud/rules", #"{"columns":{"x":{"type":"numeric","min":0,"max":10}}}"#)
            #expect(rules == .ok, "\(rulesBody)")
            let slo = #"{"model":"fraud","sli":"accuracy","objective":">= 0.9","window":"30d"}"#
            #expect(try await client.send(.put, "/v1/slos/fraud-acc", slo).0 == .created)
            // The same definition again changes nothing.
            _ = try await client.send(.put, "/v1/slos/fraud-acc", slo)
            _ = try await client.send(.put, "/v1/models/fraud/metrics/hits", #"{"expression":"sum(prediction == 1)"}"#)
            _ = try await client.send(.delete, "/v1/models/fraud/metrics/hits")
            _ = try await client.send(.delete, "/v1/slos/fraud-acc")
            _ = try await client.send(.delete, "/v1/models/fraud/reference")
            let entries = try await Self.changes(client)
            #expect(
                entries.map { $0["kind"] as? String } == [
                    "reference", "rules", "slo", "custom_metric", "custom_metric", "slo", "reference",
                ])
            #expect(
                entries.map { $0["summary"] as? String ?? "" } == [
                    "reference set from an uploaded CSV file", "rules set for 1 column",
                    "SLO 'fraud-acc' defined: accuracy >= 0.9 over 30d",
                    "custom metric 'hits' defined: sum(prediction == 1)", "custom metric 'hits' removed",
                    "SLO 'fraud-acc' removed", "reference removed",
                ])
            // A window: only what happened from then on.
            let at = try #require(entries[3]["at"] as? String)
            let later = try await Self.changes(client, "?from=\(at)&kind=custom_metric")
            #expect(later.count == 2)
        }
    }

    @Test(arguments: [
        (#"{"stage":"blue"}"#, 400, "invalid_deployment", "stage"),
        (#"{"traffic_share":0.1}"#, 400, "invalid_deployment", "stage"),
        (#"{"stage":"canary","traffic_share":"10%"}"#, 400, "invalid_deployment", "traffic_share"),
        (#"{"stage":"canary","traffic_share":1.5}"#, 400, "invalid_deployment", "traffic_share"),
        (#"{"stage":"canary","colour":"red"}"#, 400, "unknown_field", "colour"),
        (#"{"stage":"canary","started_at":"yesterday"}"#, 400, "invalid_time", "started_at"),
        (#"{"stage":"canary","offline_metrics":{"auc":"high"}}"#, 400, "invalid_deployment", "offline_metrics.auc"),
        (#"{"stage":"canary","version":"v9"}"#, 400, "invalid_deployment", "version"),
        (#"[1,2]"#, 400, "malformed_json", "JSON object"),
        ("", 400, "malformed_json", "JSON object"),
    ])
    func badBodiesAreRefusedNamingTheField(body: String, status: Int, code: String, field: String) async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let (got, answer) = try await client.send(.put, "\(Self.path)/v2", body)
            let error = answer["error"] as? [String: Any]
            #expect(got.code == status, "\(answer)")
            #expect(error?["code"] as? String == code)
            #expect((error?["message"] as? String)?.contains(field) == true, "\(answer)")
            // Nothing was recorded.
            #expect(try await client.send(.get, "/v1/models/fraud/changes").0 == .notFound)
        }
    }

    @Test func unknownThingsAre404sAndBadQueries400s() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            #expect(try await client.send(.get, Self.path).0 == .notFound)
            #expect(try await client.send(.get, "\(Self.path)/v1").0 == .notFound)
            _ = try await client.send(.put, "\(Self.path)/v1", #"{"stage":"canary"}"#)
            let (missing, body) = try await client.send(.get, "\(Self.path)/v7")
            #expect(missing == .notFound)
            #expect((body["error"] as? [String: Any])?["code"] as? String == "unknown_deployment")
            let (replaces, _) = try await client.send(.put, "\(Self.path)/v2?replaces=v9", #"{"stage":"primary"}"#)
            #expect(replaces == .badRequest)
            #expect(try await client.send(.get, "/v1/models/fraud/changes?kind=weather").0 == .badRequest)
            #expect(try await client.send(.get, "/v1/models/fraud/changes?limit=0").0 == .badRequest)
            #expect(try await client.send(.get, "/v1/models/fraud/changes?since=1").0 == .badRequest)
        }
    }
}
