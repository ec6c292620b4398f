import Foundation
import Testing
import VigilCore
import VigilStore

/// What every ``Store`` keeps besides the log: documents, SLOs, alerts and their outbox, deployments and the
/// change timeline — each with the timeline entry written in the same transaction.
@Suite struct StoreMetadataContractTests {
    static let t0 = StoreContractTests.t0

    @Test(arguments: StoreBackend.all)
    func documentsAreReplacedAndDeletedWithTheirTimelineEntries(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            let store = try await location.open()
            let change = Change(model: "m", at: Self.t0, kind: .reference, subject: "reference", summary: "set")
            try await store.saveDocument(
                ["a": 1.5, "nan": .nan], model: "m", kind: .reference, at: Self.t0, change: change)
            try await store.saveDocument(["a": 2.5], model: "m", kind: .reference, at: Self.t0 + .seconds(1))
            #expect(try await store.document([String: Double].self, model: "m", kind: .reference) == ["a": 2.5])
            #expect(try await store.document([String: Double].self, model: "m", kind: .rules) == nil)
            #expect(try await store.document([String: Double].self, model: "other", kind: .reference) == nil)
            let removal = Change(
                model: "m", at: Self.t0 + .seconds(2), kind: .reference, subject: "reference", summary: "gone")
            #expect(try await store.deleteDocument(model: "m", kind: .reference, change: removal))
            #expect(try await store.deleteDocument(model: "m", kind: .reference, change: removal) == false)
            // Two entries: the save and the one deletion that deleted something.
            #expect(
                try await store.changes(model: "m", from: nil, to: nil, kinds: nil, limit: 10).map(\.summary) == [
                    "set", "gone",
                ])
            // Non-finite numbers survive the round trip.
            try await store.saveDocument(["nan": Double.nan, "inf": .infinity], model: "m", kind: .rules, at: Self.t0)
            let back = try #require(try await store.document([String: Double].self, model: "m", kind: .rules))
            #expect(back["nan"]!.isNaN && back["inf"] == .infinity)
        }
    }

    @Test(arguments: StoreBackend.all)
    func slosAlertsAndTheOutboxKeepTheirLifecycle(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            let store = try await location.open()
            let slo = SLODefinition(
                name: "acc", model: "m", sli: .metric("accuracy"), objective: Objective(.atLeast, 0.9))
            try await store.saveSLO(slo, at: Self.t0)
            try await store.saveSLO(slo, at: Self.t0 + .seconds(1))  // unchanged: no second timeline entry
            try await store.saveSLOs(
                [SLODefinition(name: "b", model: "m", sli: .metric("recall"), objective: Objective(.atLeast, 0.8))],
                at: Self.t0)
            #expect(try await store.slos().map(\.name) == ["acc", "b"])
            #expect(try await store.changes(model: "m", from: nil, to: nil, kinds: [.slo], limit: 10).count == 2)

            let rule = AlertRule.defaultBurnRateRules[0]
            var old = Alert(slo: slo, rule: rule, at: Self.t0, summary: "old")
            old.state = .resolved
            var firing = Alert(slo: slo, rule: rule, at: Self.t0 + .seconds(60), summary: "burning")
            firing.state = .firing
            firing.updatedAt = Self.t0 + .seconds(120)
            let message = OutboxMessage(
                target: "webhook", key: "acc/page-1h/firing", body: Data("{}".utf8), createdAt: Self.t0)
            try await store.saveAlerts([old, firing], notifying: [message])
            try await store.saveAlerts([], notifying: [message])  // the same key is queued once
            #expect(try await store.alerts().map(\.summary) == ["burning", "old"])
            #expect(try await store.alerts(states: [.firing, .pending]).map(\.id) == [firing.id])
            #expect(try await store.alerts(states: nil, slo: "b", limit: 10).isEmpty)
            #expect(try await store.outboxCount() == 1)
            let due = try await store.dueMessages(at: Self.t0)
            #expect(due.map(\.key) == [message.key] && due[0].attempts == 0 && due[0].body == message.body)
            try await store.retryMessage(due[0].id, attempts: 1, at: Self.t0 + .seconds(30))
            #expect(try await store.dueMessages(at: Self.t0 + .seconds(29)).isEmpty)
            #expect(try await store.nextMessageDue() == Self.t0 + .seconds(30))
            #expect(try await store.dueMessages(at: Self.t0 + .seconds(30), limit: 5).map(\.attempts) == [1])
            try await store.removeMessage(due[0].id)
            #expect(try await store.outboxCount() == 0)
            #expect(try await store.nextMessageDue() == nil)

            #expect(try await store.pruneAlerts(resolvedBefore: Self.t0 + .seconds(1)) == 1)
            #expect(try await store.alerts().map(\.id) == [firing.id])
            #expect(try await store.deleteSLO("acc", at: Self.t0 + .seconds(5)))
            #expect(try await store.deleteSLO("acc", at: Self.t0 + .seconds(5)) == false)
            #expect(try await store.slos().map(\.name) == ["b"])
        }
    }

    @Test(arguments: StoreBackend.all)
    func deploymentsAndTheTimelineAreReadByModelAndTime(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            let store = try await location.open()
            #expect(try await store.hasTimeline(model: "m") == false)
            let v1 = Deployment(model: "m", version: "v1", stage: .primary, startedAt: Self.t0)
            var v2 = Deployment(model: "m", version: "v2", stage: .canary, startedAt: Self.t0 + .seconds(3600))
            v2.trafficShare = 0.1
            try await store.saveDeployment(v1, retiring: nil, changes: [])
            try await store.saveDeployment(
                v2, retiring: nil,
                changes: [Change(model: "m", at: v2.startedAt, kind: .deployment, subject: "v2", summary: "canary")])
            try await store.saveDeployment(
                Deployment(model: "n", version: "v1", stage: .primary, startedAt: Self.t0), retiring: nil, changes: [])
            #expect(try await store.deployments(model: "m") == [v1, v2])
            #expect(try await store.deploymentModelCount() == 2)
            #expect(try await store.hasTimeline(model: "m"))
            try await store.recordChanges(
                (0..<5).map {
                    Change(model: "m", at: Self.t0 + .seconds($0 * 600), kind: .stage, subject: "n\($0)", summary: "")
                })
            // from ≤ at < to, oldest first, the newest `limit`.
            let window = try await store.changes(
                model: "m", from: Self.t0 + .seconds(600), to: Self.t0 + .seconds(3600), kinds: nil, limit: 2)
            #expect(window.map(\.subject) == ["n3", "n4"])
            #expect(
                try await store.changes(model: "m", from: nil, to: nil, kinds: [.deployment], limit: 10).map(\.subject)
                    == [
                        "v2"
                    ])
            #expect(
                try await store.deleteDeployment(
                    model: "m", version: "v2", change: v2.removal(at: Self.t0 + .seconds(7200))))
            #expect(
                try await store.deleteDeployment(model: "m", version: "v2", change: v2.removal(at: Self.t0)) == false)
            #expect(try await store.deployments(model: "m") == [v1])
            #expect(try await store.changes(model: "m", from: nil, to: nil, kinds: [.deployment], limit: 10).count == 2)
        }
    }
}
