import Foundation
import Testing
import VigilCore
import VigilStore

/// What every ``Store`` keeps of pipelines: runs merged from their events, datasets, gates and checks, flags
/// and heartbeats; the limits on jobs, gates and flags refuse new ones and keep the rest, and what was recorded
/// is there again after the store is reopened.
@Suite struct StoreLineageContractTests {
    static func event(_ job: String, run: String) -> LineageEvent {
        LineageEvent(
            state: .complete, time: Timestamp(milliseconds: 1_796_280_000_000), runId: run,
            job: JobRef(namespace: "taxi", name: job))
    }

    @Test(arguments: StoreBackend.all)
    func newJobsAndGatesPastTheLimitsAreRefusedAndTheRestSurvivesAReopen(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            var log: (any Store)? = try await location.open(maxJobs: 2, maxGates: 1)
            _ = try await log!.recordLineage(Self.event("a", run: "r1"))
            _ = try await log!.recordLineage(Self.event("b", run: "r2"))
            await #expect(throws: PipelineLimitReached.self) {
                try await log!.recordLineage(Self.event("c", run: "r3"))
            }
            _ = try await log!.recordLineage(Self.event("a", run: "r4"))  // a known job takes more runs
            let t = Timestamp(milliseconds: 0)
            #expect(try await log!.saveGate(DataGate(name: "g1", rules: RuleSet(), updatedAt: t)))
            await #expect(throws: PipelineLimitReached.self) {
                try await log!.saveGate(DataGate(name: "g2", rules: RuleSet(), updatedAt: t))
            }
            #expect(
                try await log!.saveGate(DataGate(name: "g1", rules: RuleSet(), description: "again", updatedAt: t))
                    == false
            )
            log = nil

            let reopened = try await location.open(maxJobs: 2, maxGates: 1)
            #expect(try await reopened.pipelineJobs().map(\.job.name) == ["a", "b"])
            #expect(
                try await reopened.pipelineRuns(job: JobRef(namespace: "taxi", name: "a")).map(\.runId).sorted() == [
                    "r1", "r4",
                ])
            #expect(try await reopened.pipelineRun("r3") == nil)
            #expect(try await reopened.gates().map(\.description) == ["again"])
        }
    }

    @Test(arguments: StoreBackend.all)
    func flagsPastTheirLimitsAreRefusedAndHeartbeatsAndFlagsSurviveAReopen(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            var log: (any Store)? = try await location.open()
            let t = Timestamp(milliseconds: 1_796_280_000_000)
            let ids = { (k: Int) in
                (0..<10_000).map { OutputFlag.Prediction(id: "p-\(k)-\($0)", version: "v1", time: t) }
            }
            // Ten flags of 10,000 ids reach the 100,000 flagged ids a model may have; one more id is refused.
            for k in 0..<10 { _ = try await log!.saveFlag(OutputFlag(model: "m", predictions: ids(k), flaggedAt: t)) }
            await #expect(throws: FlagLimitReached.self) {
                try await log!.saveFlag(
                    OutputFlag(model: "m", predictions: [.init(id: "x", version: "v1", time: t)], flaggedAt: t))
            }
            // Range flags count against the 1,000 flags a model may have, not the ids.
            let range = OutputFlag(model: "other", from: t, to: t + .seconds(60), flaggedAt: t)
            for _ in 0..<StoreLimits.flagsPerModel { _ = try await log!.saveFlag(range) }
            await #expect(throws: FlagLimitReached.self) { try await log!.saveFlag(range) }
            let job = JobRef(namespace: "taxi", name: "scorer")
            try await log!.recordHeartbeat(job, at: t)
            try await log!.recordHeartbeat(job, at: t + .seconds(30))
            log = nil

            let reopened = try await location.open()
            #expect(
                try await reopened.flags(model: "m").map(\.predictions.count) == Array(repeating: 10_000, count: 10))
            #expect(try await reopened.flags(model: "other").count == StoreLimits.flagsPerModel)
            #expect(try await reopened.lastHeartbeat(job) == t + .seconds(30))
            #expect(try await reopened.pipelineHistory(job: job).heartbeats.count == 2)
        }
    }

    @Test(arguments: StoreBackend.all)
    func runsMergeTheirEventsAndLinkTheirDatasetsAndGatesKeepTheirChecks(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            let store = try await location.open()
            let t = Timestamp(milliseconds: 1_796_280_000_000)
            let job = JobRef(namespace: "taxi", name: "features")
            let raw = DatasetFacts(namespace: "s3://lake", name: "raw.trips", rowCount: 100)
            let features = DatasetFacts(namespace: "s3://lake", name: "features.trips", rowCount: 50)
            _ = try await store.recordLineage(
                LineageEvent(state: .start, time: t, runId: "r1", job: job, inputs: [raw]))
            let run = try await store.recordLineage(
                LineageEvent(state: .complete, time: t + .seconds(90), runId: "r1", job: job, outputs: [features]))
            #expect(run.state == .complete && run.startedAt == t && run.endedAt == t + .seconds(90))
            #expect(try await store.pipelineRun("r1") == run)
            #expect(
                try await store.datasetRuns(namespace: "s3://lake", name: "features.trips", role: "output").map(\.runId)
                    == ["r1"]
            )
            #expect(
                try await store.datasetRuns(namespace: "s3://lake", name: "raw.trips", role: "input").map(\.runId) == [
                    "r1"
                ]
            )
            #expect(try await store.datasetRuns(namespace: "s3://lake", name: "raw.trips", role: "output").isEmpty)
            let summary = try #require(try await store.pipelineJobs().first)
            #expect(summary.job == job && summary.runs == 1 && summary.lastSuccess == t + .seconds(90))
            #expect(
                try await store.pipelineHistory(dataset: JobRef(namespace: "s3://lake", name: "features.trips")).writes
                    == [
                        t + .seconds(90)
                    ])

            let gate = DataGate(name: "rows", rules: RuleSet(), updatedAt: t)
            #expect(try await store.saveGate(gate))
            try await store.setJobGates(job, gates: ["rows", "rows"], at: t)
            #expect(try await store.jobGates(job) == ["rows"])
            let check = GateCheck(
                gate: gate, profile: DataProfile(), at: t, runId: "r1", dataset: "s3://lake/features.trips")
            let first = try await store.recordGateCheck(check)
            let second = try await store.recordGateCheck(check)
            #expect(first.id != nil && second.id! > first.id!)
            #expect(try await store.gateChecks(gate: "rows", runId: nil, limit: 1).map(\.id) == [second.id])
            #expect(try await store.hasGateCheck(gate: "rows", runId: "r1", dataset: "s3://lake/features.trips"))
            #expect(
                try await store.hasGateCheck(gate: "rows", runId: "r2", dataset: "s3://lake/features.trips") == false)
            #expect(try await store.pipelineHistory(gate: "rows").checks.count == 2)
            #expect(try await store.deleteGate("rows"))
            #expect(try await store.gate("rows") == nil)
            #expect(try await store.jobGates(job).isEmpty)
            #expect(try await store.gateChecks(gate: "rows", runId: nil, limit: 10).isEmpty)
        }
    }
}
