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
}
