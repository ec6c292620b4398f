import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilServer

/// The shadow v3 of the canary fixture, sent with `"shadow": true` on v1's ids, half before and half after
/// the labels: its McNemar table, exact p-value and disagreement rate equal statsmodels'; the model's own
/// metrics do not count it.
@Suite struct ShadowRoutesTests {
    @Test func theShadowIsPairedAsStatsmodelsCountsIt() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let shadows = CanaryFixture.predictionLines("shadow.csv")
            try await CanaryFixture.ingest(client, labels: false)
            for batch in TaxiFixture.batches(Array(shadows.prefix(4000)), size: 4000) {
                #expect(try await client.send(.post, "/v1/predictions", batch).0 == .ok)
            }
            for batch in TaxiFixture.batches(CanaryFixture.feedbackLines, size: 4000) {
                #expect(try await client.send(.post, "/v1/feedback", batch).0 == .ok)
            }
            for batch in TaxiFixture.batches(Array(shadows.dropFirst(4000)), size: 4000) {
                let (status, body) = try await client.send(.post, "/v1/predictions", batch)
                #expect(status == .ok, "\(body)")
            }
            let expected = CanaryFixture.expected["shadow"] as! [String: Any]
            let (status, answer) = try await client.send(.get, "/v1/models/fraud/shadow?shadow=v3&primary=v1")
            #expect(status == .ok, "\(answer)")
            #expect(answer["pairs"] as? Int == expected["pairs"] as? Int)
            #expect(answer["labeled_pairs"] as? Int == expected["pairs"] as? Int)
            let disagreement = (answer["disagreement"] as? [String: Any])?["value"] as? Double
            #expect(abs((disagreement ?? -1) - (expected["disagreement_rate"] as! Double)) < 1e-12)
            let table = answer["table"] as? [String: Int] ?? [:]
            let want = expected["mcnemar_table"] as! [[Int]]
            #expect([[table["both_right"], table["primary_only_right"]], [table["shadow_only_right"], table["both_wrong"]]]
                == want.map { $0.map(Optional.some) })
            let p = (answer["difference"] as? [String: Any])?["p_value"] as? Double
            let wantP = expected["mcnemar_exact_p"] as! Double
            #expect(abs((p ?? 1) - wantP) <= wantP * 1e-9, "\(String(describing: p)) vs \(wantP)")
            #expect((answer["difference"] as? [String: Any])?["method"] as? String == "paired_wald_mcnemar")

            // Shadows never count in the model's metrics; the shadow version has its own.
            let count = { (q: String) async throws -> Int? in
                let m = try await client.send(.get, "/v1/models/fraud/metrics?names=count\(q)").1
                let window = m["window"] as? [String: Any]
                return ((window?["metrics"] as? [String: Any])?["count"] as? [String: Any])?["value"] as? Int
            }
            #expect(try await count("") == CanaryFixture.rows("predictions.csv").count)
            #expect(try await count("&version=v3") == shadows.count)
            let models = try await client.send(.get, "/v1/models").1["models"] as? [[String: Any]] ?? []
            #expect(models.first?["shadowVersions"] as? [String] == ["v3"])
            #expect(models.first?["versions"] as? [String] == ["v1", "v2"])
        }
    }

    @Test func badShadowRowsAndQueriesAreRefusedNamingTheField() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            try await CanaryFixture.ingest(client, labels: false)
            let rows = """
                {"id": "nobody", "ts": "2026-11-02T00:00:00Z", "model": "fraud", "version": "v3", "score": 0.2, "shadow": true}
                {"id": "c00001", "ts": "2026-11-02T00:00:00Z", "model": "fraud", "version": "v3", "score": 0.2, "shadow": "yes"}
                {"id": "c00001", "ts": "2026-11-01T00:00:00Z", "model": "fraud", "version": "v3", "score": 0.2, "shadow": true}
                """
            let (status, body) = try await client.send(.post, "/v1/predictions", rows)
            #expect(status == .unprocessableContent, "\(body)")
            let rejected = (body["error"] as? [String: Any])?["details"] as? [[String: Any]] ?? []
            #expect(rejected.map { $0["code"] as? String } == ["missing_primary", "invalid_type"], "\(body)")
            #expect(rejected.map { $0["field"] as? String } == ["id", "shadow"], "\(body)")
            for (query, code) in [
                ("shadow=v9", "unknown_version"), ("shadow=v3&primary=v9", "unknown_version"),
                ("shadow=v3&margin=2", "invalid_comparison"), ("", "missing_parameter"), ("shadow=v3&x=1", "unknown_parameter"),
            ] {
                let (got, answer) = try await client.send(.get, "/v1/models/fraud/shadow?\(query)")
                #expect(got == (code == "unknown_version" ? .notFound : .badRequest), "\(query): \(answer)")
                #expect((answer["error"] as? [String: Any])?["code"] as? String == code, "\(query): \(answer)")
            }
        }
    }
}
