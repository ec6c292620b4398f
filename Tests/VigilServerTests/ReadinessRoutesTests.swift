import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilServer

/// The readiness report on the canary fixture: v1's offline metrics against its online ones (the fixture's
/// scikit-learn values): within tolerance is `consistent`, a recall measured far off is `skew`.
@Suite struct ReadinessRoutesTests {
    @Test func offlineMetricsAreCheckedAgainstOnlineOnes() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let overall = (CanaryFixture.expected["slices"] as! [String: Any])["overall"] as! [String: Any]
            func baseline(_ metric: String) -> Double {
                ((overall[metric] as! [String: Any])["baseline"] as! [String: Any])["value"] as! Double
            }
            // Before traffic: nothing online yet.
            let record = """
                {"stage": "primary", "offline_metrics": {"accuracy": \(baseline("accuracy") + 0.005),
                 "recall": 0.80, "roc_auc": \(baseline("roc_auc") - 0.001), "pr_auc": 0.9}}
                """
            #expect(try await client.send(.put, "/v1/models/fraud/deployments/v1", record).0 == .created)
            let (early, waiting) = try await client.send(.get, "/v1/models/fraud/deployments/v1/readiness")
            #expect(early == .ok && waiting["status"] as? String == "insufficient_data", "\(waiting)")

            try await CanaryFixture.ingest(client)
            let (status, report) = try await client.send(.get, "/v1/models/fraud/deployments/v1/readiness")
            #expect(status == .ok, "\(report)")
            #expect(report["status"] as? String == "skew")
            #expect(report["skewed"] as? [String] == ["recall"])
            let rows = Dictionary(
                uniqueKeysWithValues: (report["metrics"] as? [[String: Any]] ?? []).map { ($0["metric"] as! String, $0) })
            #expect(rows["accuracy"]?["finding"] as? String == "consistent")
            #expect(rows["roc_auc"]?["finding"] as? String == "consistent")
            #expect(rows["pr_auc"]?["finding"] as? String == "unknown_metric")
            let recall = rows["recall"]
            #expect(abs((recall?["online"] as? Double ?? 0) - baseline("recall")) < 1e-12)
            #expect(abs((recall?["difference"] as? Double ?? 0) - (baseline("recall") - 0.80)) < 1e-12)
            #expect(recall?["n"] as? Int == 2926)
            // A tighter tolerance also flags the accuracy, which lies outside its online interval.
            let strict = try await client.send(.get, "/v1/models/fraud/deployments/v1/readiness?tolerance=0.002").1
            #expect(strict["skewed"] as? [String] == ["accuracy", "recall"], "\(strict)")

            for (uri, code) in [
                ("/v1/models/fraud/deployments/v9/readiness", "unknown_deployment"),
                ("/v1/models/fraud/deployments/v1/readiness?tolerance=-1", "invalid_comparison"),
                ("/v1/models/fraud/deployments/v1/readiness?min_samples=1.5", "invalid_comparison"),
                ("/v1/models/fraud/deployments/v1/readiness?colour=1", "unknown_parameter"),
            ] {
                let (_, answer) = try await client.send(.get, uri)
                #expect((answer["error"] as? [String: Any])?["code"] as? String == code, "\(uri): \(answer)")
            }
            #expect(try await client.send(.put, "/v1/models/fraud/deployments/v2", #"{"stage": "canary"}"#).0 == .created)
            let (_, none) = try await client.send(.get, "/v1/models/fraud/deployments/v2/readiness")
            #expect((none["error"] as? [String: Any])?["code"] as? String == "no_offline_metrics")
        }
    }
}
