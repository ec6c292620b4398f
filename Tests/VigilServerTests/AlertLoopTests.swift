import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilCore
import VigilServer

/// The live alert loop: an SLO on recent traffic fires, the webhook hears it (through 500s and retries,
/// signed), the alert survives a restart without a second notification, and resolves once labels are fixed.
@Suite struct AlertLoopTests {
    static let slo = """
        {"model": "fraud", "sli": "accuracy", "objective": ">= 0.9", "window": "1d", "min_samples": 50,
         "owner": "risk-team", "labels": {"team": "risk"}}
        """
    static let secret = "webhook-secret"

    static func iso(_ t: Date) -> String { Timestamp(milliseconds: Int64(t.timeIntervalSince1970 * 1000)).iso8601 }

    /// 100 predictions of class 1 ten minutes ago.
    static var predictions: String {
        let t = iso(Date().addingTimeInterval(-600))
        return (0..<100).map {
            #"{"id": "f\#($0)", "ts": "\#(t)", "model": "fraud", "version": "v1", "score": 0.9, "prediction": 1}"#
        }.joined(separator: "\n")
    }

    static func labels(_ label: Int) -> String {
        let t = iso(Date())
        return (0..<100).map { #"{"id": "f\#($0)", "ts": "\#(t)", "label": \#(label)}"# }.joined(separator: "\n")
    }

    /// HMAC-SHA256 of `TIMESTAMP.BODY`, computed here independently of the server.
    static func expectSigned(_ r: WebhookReceiver.Received) {
        guard let timestamp = r.timestamp else {
            Issue.record("no X-Vigil-Timestamp header")
            return
        }
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data((timestamp + ".").utf8) + r.body, using: SymmetricKey(data: Data(secret.utf8)))
        #expect(r.signature == "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
    }

    static func waitFor(
        _ what: String, _ condition: () async throws -> Bool
    ) async throws {
        for _ in 0..<150 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting for \(what)")
    }

    static func alerts(_ client: some TestClientProtocol, _ state: String) async throws -> [[String: Any]] {
        try await client.send(.get, "/v1/alerts?state=\(state)").1["alerts"] as? [[String: Any]] ?? []
    }

    @Test func firesNotifiesSurvivesRestartAndResolves() async throws {
        let receiver = WebhookReceiver(failures: 2)
        try await receiver.run { url in
            var harness = try ServerHarness()
            defer { harness.remove() }
            harness.configuration.alertInterval = .seconds(1)
            harness.configuration.notifications.webhookURL = url
            harness.configuration.notifications.webhookSecret = Self.secret
            harness.configuration.notifications.retry.initialDelay = .milliseconds(50)
            try await harness.run { client in
                let canary = #"{"stage":"canary","traffic_share":0.1}"#
                #expect(try await client.send(.put, "/v1/models/fraud/deployments/v2", canary).0 == .created)
                #expect(try await client.send(.put, "/v1/slos/fraud-accuracy", Self.slo).0 == .created)
                #expect(try await client.send(.post, "/v1/predictions", Self.predictions).0 == .ok)
                #expect(try await client.send(.post, "/v1/feedback", Self.labels(0)).0 == .ok)
                // Every label wrong: 100% bad against a 10% budget, 10× burn. The 14.4× rule cannot fire;
                // the 6× page and the 1× ticket do.
                try await Self.waitFor("two firing alerts") { try await Self.alerts(client, "firing").count == 2 }
                let firing = try await Self.alerts(client, "firing")
                #expect(Set(firing.compactMap { $0["rule"] as? String }) == ["page-6h", "ticket-3d"])
                let context = firing.first?["context"] as? [String: Any]
                #expect((context?["sli"] as? [String: Any])?["n"] as? Int == 100)
                #expect((context?["sli"] as? [String: Any])?["value"] as? Double == 0)
                try await Self.waitFor("two deliveries") { receiver.delivered.count == 2 }
            }
            // Two 500s were retried; every request is signed; the payload carries the alert and its owner.
            #expect(receiver.received.count == 4)
            #expect(receiver.received.prefix(2).allSatisfy { $0.status == 500 })
            receiver.received.forEach(Self.expectSigned)
            let payload = receiver.delivered[0].json
            #expect(payload["status"] as? String == "firing")
            #expect((payload["alert"] as? [String: Any])?["owner"] as? String == "risk-team")
            #expect(((payload["alert"] as? [String: Any])?["labels"] as? [String: String])?["team"] == "risk")
            // The changes made before the burn began come with it.
            let changes = ((payload["alert"] as? [String: Any])?["context"] as? [String: Any])?["recent_changes"]
            #expect(
                (changes as? [[String: Any]])?.map { $0["summary"] as? String }
                    == ["v2 deployed as canary (10%)", "SLO 'fraud-accuracy' defined: accuracy >= 0.9 over 1d"])

            try await harness.run { client in
                // Restart: the alerts are still firing and nobody is told twice.
                #expect(try await Self.alerts(client, "firing").count == 2)
                try await Task.sleep(for: .milliseconds(2500))
                #expect(receiver.delivered.count == 2)
                // Corrected labels: the burn stops, both alerts resolve and the receiver hears it.
                #expect(try await client.send(.post, "/v1/feedback", Self.labels(1)).0 == .ok)
                try await Self.waitFor("two resolved alerts") { try await Self.alerts(client, "resolved").count == 2 }
                try await Self.waitFor("resolution deliveries") { receiver.delivered.count == 4 }
                #expect(try await Self.alerts(client, "firing").isEmpty)
            }
            let resolved = receiver.delivered.suffix(2).map(\.json)
            #expect(resolved.allSatisfy { $0["status"] as? String == "resolved" && $0["from"] as? String == "firing" })
        }
    }
}
