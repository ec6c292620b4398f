import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilServer

/// The `candidate_worse` SLI: on the canary fixture, an SLO on the apac slice fires through a real webhook
/// receiver with a rollback recommendation; the same SLO on eu, where v2 equals v1, stays quiet.
@Suite struct CandidateWorseTests {
    static func slo(_ region: String) -> String {
        """
        {"model": "fraud", "sli": "candidate_worse.recall", "baseline": "v1", "version": "v2",
         "segment": "region:\(region)", "objective": ">= -0.05", "window": "90d", "min_samples": 100}
        """
    }

    @Test func aWorseCandidatePagesWithARollbackRecommendation() async throws {
        let receiver = WebhookReceiver(failures: 0)
        try await receiver.run { url in
            var harness = try ServerHarness()
            defer { harness.remove() }
            harness.configuration.alertInterval = .seconds(1)
            harness.configuration.notifications.webhookURL = url
            try await harness.run { client in
                try await CanaryFixture.ingest(client)
                #expect(try await client.send(.put, "/v1/slos/fraud-v2-apac", Self.slo("apac")).0 == .created)
                #expect(try await client.send(.put, "/v1/slos/fraud-v2-eu", Self.slo("eu")).0 == .created)
                try await AlertLoopTests.waitFor("a delivery") { !receiver.delivered.isEmpty }
                // Give the eu SLO the same evaluations to fire in, if it wrongly would.
                try await Task.sleep(for: .milliseconds(1500))

                let apac = try await client.send(.get, "/v1/slos/fraud-v2-apac").1["status"] as? [String: Any] ?? [:]
                #expect(apac["verdict"] as? String == "breached", "\(apac)")
                let eu = try await client.send(.get, "/v1/slos/fraud-v2-eu").1["status"] as? [String: Any] ?? [:]
                #expect(eu["verdict"] as? String == "ok", "\(eu)")
                // The SLI is the candidate's improvement in recall: the fixture's difference.
                let want = (((CanaryFixture.expected["slices"] as! [String: Any])["region:apac"] as! [String: Any])[
                    "recall"] as! [String: Any])["difference"] as! Double
                let value = (apac["value"] as? [String: Any])?["value"] as? Double
                #expect(abs((value ?? 0) - want) < 1e-12, "\(String(describing: value)) vs \(want)")
            }
            #expect(receiver.delivered.count == 1)
            let alert = receiver.delivered[0].json["alert"] as? [String: Any]
            #expect(alert?["slo"] as? String == "fraud-v2-apac")
            let recommendation = (alert?["context"] as? [String: Any])?["recommendation"] as? String
            #expect(recommendation?.hasPrefix("roll back to v1: v2 is worse than v1 on recall in region:apac") == true,
                    "\(String(describing: recommendation))")
        }
    }

    @Test func badComparisonSLOsAreRefusedNamingTheField() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            try await CanaryFixture.ingest(client, labels: false)
            for (body, code, field) in [
                (#"{"model": "fraud", "sli": "candidate_worse.recall", "version": "v2"}"#, "invalid_slo", "baseline"),
                (#"{"model": "fraud", "sli": "candidate_worse.recall", "baseline": "v1"}"#, "invalid_slo", "version"),
                (#"{"model": "fraud", "sli": "candidate_worse.recall", "baseline": "v1", "version": "v1"}"#, "invalid_slo", "baseline"),
                (#"{"model": "fraud", "sli": "candidate_worse.recall", "baseline": "v1", "version": "v2", "objective": "<= 0.1"}"#, "invalid_objective", "objective"),
                (#"{"model": "fraud", "sli": "candidate_worse.rmse", "baseline": "v1", "version": "v2"}"#, "invalid_sli", "rmse"),
                (#"{"model": "fraud", "sli": "candidate_worse.", "baseline": "v1", "version": "v2"}"#, "invalid_sli", "candidate_worse.METRIC"),
                (#"{"model": "fraud", "sli": "accuracy", "objective": ">= 0.9", "baseline": "v1"}"#, "invalid_slo", "baseline"),
            ] {
                let (status, answer) = try await client.send(.put, "/v1/slos/bad", body)
                let error = answer["error"] as? [String: Any]
                #expect(status == .badRequest, "\(body): \(answer)")
                #expect(error?["code"] as? String == code, "\(body): \(answer)")
                #expect((error?["message"] as? String)?.contains(field) == true, "\(body): \(answer)")
            }
            // Without an objective, the margin is 0.01.
            let (status, created) = try await client.send(
                .put, "/v1/slos/fraud-v2", #"{"model": "fraud", "sli": "candidate_worse.accuracy", "baseline": "v1", "version": "v2"}"#)
            #expect(status == .created)
            #expect((created["slo"] as? [String: Any])?["objective"] as? String == ">= -0.01", "\(created)")
        }
    }
}
