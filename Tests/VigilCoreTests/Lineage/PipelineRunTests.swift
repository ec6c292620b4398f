import Testing
import VigilCore

/// A run's events merge to the same run whatever order they arrive in, and again and again.
struct PipelineRunTests {
    static let job = JobRef(namespace: "taxi", name: "build-features")
    static let t0 = Timestamp(milliseconds: 1_796_280_000_000)

    static let events: [LineageEvent] = [
        LineageEvent(
            state: .start, time: t0, runId: "r1", job: job,
            inputs: [DatasetFacts(namespace: "s3://lake", name: "raw.trips", rowCount: 100)]),
        LineageEvent(
            state: .running, time: t0 + .seconds(60), runId: "r1", job: job,
            outputs: [DatasetFacts(namespace: "s3://lake", name: "features.trips", rowCount: 50)]),
        LineageEvent(
            state: .complete, time: t0 + .seconds(300), runId: "r1", job: job,
            outputs: [
                DatasetFacts(
                    namespace: "s3://lake", name: "features.trips", rowCount: 98,
                    assertions: [.init(assertion: "not_null", success: false, column: "fare")])
            ], codeVersion: "9f2c1e7"),
    ]

    static func merged(_ order: [Int]) -> PipelineRun {
        var run = PipelineRun(events[order[0]])
        for i in order.dropFirst() { run.merge(events[i]) }
        return run
    }

    @Test(arguments: [[0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0], [0, 2, 1, 2, 0]])
    func theOrderOfEventsDoesNotMatter(_ order: [Int]) {
        let run = Self.merged(order)
        #expect(run.state == .complete)
        #expect(run.startedAt == Self.t0 && run.endedAt == Self.t0 + .seconds(300))
        #expect(run.durationSeconds == 300)
        #expect(run.inputs.map(\.rowCount) == [100])
        // The COMPLETE event's facets win over RUNNING's, whichever came last.
        #expect(run.outputs.first?.rowCount == 98)
        #expect(run.outputs.first?.failedAssertions.map(\.column) == ["fare"])
        #expect(run.codeVersion == "9f2c1e7")
        #expect(run.events == order.count)
    }

    @Test func aRunWithoutStartBeginsAtItsEarliestEventAndTheLaterFinalStateWins() {
        var run = PipelineRun(LineageEvent(state: .fail, time: Self.t0 + .seconds(90), runId: "r2", job: Self.job, errorMessage: "boom"))
        run.merge(LineageEvent(state: .running, time: Self.t0 + .seconds(30), runId: "r2", job: Self.job))
        #expect(run.state == .fail && run.startedAt == Self.t0 + .seconds(30) && run.errorMessage == "boom")
        // A retry's COMPLETE, later, overrides the FAIL; an older ABORT does not.
        run.merge(LineageEvent(state: .complete, time: Self.t0 + .seconds(200), runId: "r2", job: Self.job))
        run.merge(LineageEvent(state: .abort, time: Self.t0 + .seconds(100), runId: "r2", job: Self.job))
        #expect(run.state == .complete && run.endedAt == Self.t0 + .seconds(200))
    }
}
