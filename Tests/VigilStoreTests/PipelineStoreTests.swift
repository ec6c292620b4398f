import Foundation
import Testing
import VigilCore
import VigilStore

/// Pipeline state in the store: the limits on jobs and gates refuse new ones and keep the rest, and what
/// was recorded is there again after the store is reopened.
@Suite struct PipelineStoreTests {
    static func event(_ job: String, run: String) -> LineageEvent {
        LineageEvent(
            state: .complete, time: Timestamp(milliseconds: 1_796_280_000_000), runId: run,
            job: JobRef(namespace: "taxi", name: job))
    }

    @Test func newJobsAndGatesPastTheLimitsAreRefusedAndTheRestSurvivesAReopen() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pipe-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var configuration = StoreConfiguration(directory: dir, synchronous: .off)
        configuration.maxJobs = 2
        configuration.maxGates = 1
        var log: EventLog? = try EventLog(configuration)
        _ = try await log!.recordLineage(Self.event("a", run: "r1"))
        _ = try await log!.recordLineage(Self.event("b", run: "r2"))
        await #expect(throws: PipelineLimitReached.self) { try await log!.recordLineage(Self.event("c", run: "r3")) }
        _ = try await log!.recordLineage(Self.event("a", run: "r4"))  // a known job takes more runs
        let t = Timestamp(milliseconds: 0)
        #expect(try await log!.saveGate(DataGate(name: "g1", rules: RuleSet(), updatedAt: t)))
        await #expect(throws: PipelineLimitReached.self) {
            try await log!.saveGate(DataGate(name: "g2", rules: RuleSet(), updatedAt: t))
        }
        #expect(try await log!.saveGate(DataGate(name: "g1", rules: RuleSet(), description: "again", updatedAt: t)) == false)
        log = nil

        let reopened = try EventLog(configuration)
        #expect(try reopened.pipelineJobs().map(\.job.name) == ["a", "b"])
        #expect(try reopened.pipelineRuns(job: JobRef(namespace: "taxi", name: "a")).map(\.runId).sorted() == ["r1", "r4"])
        #expect(try reopened.pipelineRun("r3") == nil)
        #expect(try reopened.gates().map(\.description) == ["again"])
    }

    @Test func flagsPastTheirLimitsAreRefusedAndHeartbeatsAndFlagsSurviveAReopen() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-flags-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let configuration = StoreConfiguration(directory: dir, synchronous: .off)
        var log: EventLog? = try EventLog(configuration)
        let t = Timestamp(milliseconds: 1_796_280_000_000)
        let ids = { (k: Int) in
            (0..<10_000).map { OutputFlag.Prediction(id: "p-\(k)-\($0)", version: "v1", time: t) }
        }
        // Ten flags of 10,000 ids reach the 100,000 flagged ids a model may have; one more id is refused.
        for k in 0..<10 { _ = try await log!.saveFlag(OutputFlag(model: "m", predictions: ids(k), flaggedAt: t)) }
        await #expect(throws: FlagLimitReached.self) {
            try await log!.saveFlag(OutputFlag(model: "m", predictions: [.init(id: "x", version: "v1", time: t)], flaggedAt: t))
        }
        // Range flags count against the 1,000 flags a model may have, not the ids.
        let range = OutputFlag(model: "other", from: t, to: t + .seconds(60), flaggedAt: t)
        for _ in 0..<EventLog.flagsPerModel { _ = try await log!.saveFlag(range) }
        await #expect(throws: FlagLimitReached.self) { try await log!.saveFlag(range) }
        let job = JobRef(namespace: "taxi", name: "scorer")
        try await log!.recordHeartbeat(job, at: t)
        try await log!.recordHeartbeat(job, at: t + .seconds(30))
        log = nil

        let reopened = try EventLog(configuration)
        #expect(try reopened.flags(model: "m").map(\.predictions.count) == Array(repeating: 10_000, count: 10))
        #expect(try reopened.flags(model: "other").count == EventLog.flagsPerModel)
        #expect(try reopened.lastHeartbeat(job) == t + .seconds(30))
        #expect(try reopened.pipelineHistory(job: job).heartbeats.count == 2)
    }
}
