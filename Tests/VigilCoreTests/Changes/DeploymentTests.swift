import Foundation
import Testing

@testable import VigilCore

struct DeploymentTests {
    static let t0 = Timestamp(milliseconds: 1_767_225_600_000)

    static func deployment(_ version: String, _ stage: Deployment.Stage, share: Double? = nil) -> Deployment {
        Deployment(model: "fraud", version: version, stage: stage, startedAt: t0, trafficShare: share)
    }

    func refusal(_ d: Deployment, among others: [Deployment] = []) -> DeploymentError? {
        do {
            try d.validate(among: others)
            return nil
        } catch {
            return error
        }
    }

    @Test func oneRecordAloneIsChecked() {
        #expect(refusal(Self.deployment("v1", .primary, share: 1)) == nil)
        #expect(refusal(Self.deployment("v1", .canary, share: 1.5))?.field == "traffic_share")
        #expect(refusal(Self.deployment("v1", .canary, share: .nan))?.field == "traffic_share")
        #expect(refusal(Self.deployment("v1", .retired, share: 0.2))?.message.contains("retired") == true)
        #expect(refusal(Self.deployment("", .canary))?.field == "version")
        #expect(refusal(Self.deployment("v\u{7}", .canary))?.field == "version")
        var ended = Self.deployment("v1", .canary)
        ended.endedAt = Self.t0 - .seconds(1)
        #expect(refusal(ended)?.field == "ended_at")
        var metrics = Self.deployment("v1", .canary)
        metrics.offlineMetrics = Dictionary(uniqueKeysWithValues: (0...100).map { ("m\($0)", 0.5) })
        #expect(refusal(metrics)?.code == .limitExceeded)
        metrics.offlineMetrics = ["auc": .infinity]
        #expect(refusal(metrics)?.field == "offline_metrics.auc")
    }

    @Test func onePrimaryAtATimeAndSharesAddUpToAtMostOne() {
        let v1 = Self.deployment("v1", .primary, share: 0.9)
        let conflict = refusal(Self.deployment("v2", .primary, share: 0.1), among: [v1])
        #expect(conflict?.code == .stageConflict)
        #expect(conflict?.field == "stage")
        #expect(conflict?.message.contains("'v1'") == true)
        #expect(refusal(Self.deployment("v2", .canary, share: 0.1), among: [v1]) == nil)
        let over = refusal(Self.deployment("v2", .canary, share: 0.2), among: [v1])
        #expect(over?.code == .trafficShareExceeded)
        #expect(over?.message.contains("110%") == true, "\(over?.message ?? "")")
        // A shadow scores a copy of the traffic, and a retired version serves none: neither counts.
        #expect(refusal(Self.deployment("v3", .shadow, share: 1), among: [v1]) == nil)
        var retired = Self.deployment("v0", .retired)
        retired.normalize()
        #expect(retired.endedAt == Self.t0)
        #expect(refusal(Self.deployment("v2", .primary, share: 1), among: [retired]) == nil)
    }

    @Test func changesSayWhatMoved() {
        let new = Self.deployment("v2", .canary, share: 0.1)
        #expect(new.changes(from: nil, at: Self.t0).map(\.summary) == ["v2 deployed as canary (10%)"])
        var promoted = new
        promoted.stage = .primary
        promoted.trafficShare = 1
        promoted.codeRef = "9f2c1e7"
        let changes = promoted.changes(from: new, at: Self.t0 + .seconds(60))
        #expect(changes.map(\.kind) == [.stage, .trafficShare, .deployment])
        #expect(changes.map(\.summary) == ["v2: canary → primary", "v2: traffic 10% → 100%", "v2 updated: code_ref"])
        #expect(changes[0].from == "canary" && changes[0].to == "primary")
        #expect(promoted.changes(from: promoted, at: Self.t0).isEmpty)
    }

    @Test func anUnchangedSLOMakesNoEntry() throws {
        let slo = SLODefinition(
            name: "acc", model: "fraud", sli: .metric("accuracy"), objective: try Objective(parsing: ">= 0.9"),
            window: .seconds(30 * 86_400))
        #expect(Change.slo(slo, replacing: slo, at: Self.t0) == nil)
        #expect(Change.slo(slo, replacing: nil, at: Self.t0)?.summary == "SLO 'acc' defined: accuracy >= 0.9 over 30d")
        var stricter = slo
        stricter.objective = try Objective(parsing: ">= 0.95")
        #expect(
            Change.slo(stricter, replacing: slo, at: Self.t0)?.summary
                == "SLO 'acc': accuracy >= 0.9 over 30d → accuracy >= 0.95 over 30d")
        // A definition read back from the store equals the one written, so re-applying an --slos file is silent.
        let decoded = try JSONDecoder().decode(SLODefinition.self, from: try JSONEncoder().encode(slo))
        #expect(Change.slo(slo, replacing: decoded, at: Self.t0) == nil)
    }
}
