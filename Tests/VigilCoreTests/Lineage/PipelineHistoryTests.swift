import Testing
import VigilCore

/// Pipeline SLIs from recorded runs, heartbeats, writes and checks: each value is what it was at `now`, so
/// nothing recorded later leaks into an earlier evaluation.
struct PipelineHistoryTests {
    static let t0 = Timestamp(milliseconds: 1_796_280_000_000)
    static func at(_ minutes: Int64) -> Timestamp { t0 + .seconds(minutes * 60) }

    /// Runs at 0, 60, 120 and 180 minutes, each 10 minutes long; the one at 120 fails, the one at 180 is
    /// still going at 200.
    static let history = PipelineHistory(
        runs: [
            .init(startedAt: at(0), endedAt: at(10), state: .complete),
            .init(startedAt: at(60), endedAt: at(70), state: .complete),
            .init(startedAt: at(120), endedAt: at(130), state: .fail),
            .init(startedAt: at(180), endedAt: at(250), state: .complete),
        ],
        heartbeats: [at(5), at(95)],
        writes: [at(10), at(70)],
        checks: [.init(at: at(10), passed: true), .init(at: at(70), passed: true), .init(at: at(130), passed: false)])

    func sample(_ m: PipelineMeasure, now minutes: Int64, window: Int64 = 240) -> SLISample {
        Self.history.sample(m, from: Self.at(minutes - window), to: Self.at(minutes), now: Self.at(minutes))
    }

    @Test func stalenessIsSecondsSinceTheNewestEventBeforeNow() {
        // Freshness: the newest write by 100 is at 70 → 30 minutes.
        #expect(sample(.datasetFreshness, now: 100).value == 1800)
        #expect(sample(.datasetFreshness, now: 100).n == 2)
        // At 50 only the write at 10 had happened.
        #expect(sample(.datasetFreshness, now: 50).value == 2400)
        // Cadence counts completed runs only: at 200 the newest success ended at 70 (the run at 120 failed).
        #expect(sample(.jobCadence, now: 200).value == 7800)
        // The run ending at 250 has not ended at 200; by 260 it has.
        #expect(sample(.jobCadence, now: 260).value == 600)
        // Heartbeat: any sign of life — the heartbeat at 95, the start at 120, the failure at 130, the start at 180.
        #expect(sample(.jobHeartbeat, now: 100).value == 300)
        #expect(sample(.jobHeartbeat, now: 200).value == 1200)
        // Nothing before the first event: no value (never alerting on "never seen").
        #expect(Self.history.sample(.jobCadence, from: Self.at(-60), to: Self.at(-1), now: Self.at(-1)).value == nil)
    }

    @Test func successAndPassRatesAreProportionsOfFinishedRunsAndChecks() {
        // By 200: three finished runs in the last 240 minutes, two completed.
        let s = sample(.jobSuccessRate, now: 200)
        #expect(s.n == 3)
        #expect(s.value == 2.0 / 3)
        // Wilson interval for 2/3 (statsmodels proportion_confint(2, 3, method="wilson")).
        #expect(abs((s.lower ?? 0) - 0.2076596) < 1e-6)
        #expect(abs((s.upper ?? 0) - 0.9385081) < 1e-6)
        let checks = sample(.gatePassRate, now: 200)
        #expect(checks.n == 3 && checks.value == 2.0 / 3)
        // A 90-minute window at 200 holds only the failed check at 130.
        #expect(sample(.gatePassRate, now: 200, window: 90).value == 0)
    }

    @Test func durationIsTheNewestFinishedRunOrAnOpenRunThatTookLonger() {
        // At 140: the newest finished run (120–130) took 10 minutes.
        #expect(sample(.jobDuration, now: 140).value == 600)
        // At 240 the run from 180 is still going after 60 minutes: longer than the newest finished run.
        #expect(sample(.jobDuration, now: 240).value == 3600)
        #expect(sample(.jobDuration, now: 240).n == 4)
        // At 260 it has finished, after 70 minutes.
        #expect(sample(.jobDuration, now: 260).value == 4200)
    }

    @Test func pipelineSLOsNameTheirSubject() throws {
        let fresh = SLODefinition(
            name: "trips-fresh", model: "", sli: try SLI(parsing: "dataset.freshness"), objective: Objective(.atMost, 7200),
            dataset: DatasetRef(namespace: "s3://lake", name: "features.trips"))
        try fresh.validate()
        #expect(fresh.subject == "s3://lake/features.trips")
        var missing = fresh
        missing.dataset = nil
        #expect(throws: SLOError.self) { try missing.validate() }
        var wrongSubject = fresh
        wrongSubject.job = JobRef(namespace: "taxi", name: "build")
        #expect(throws: SLOError.self) { try wrongSubject.validate() }
        var upward = fresh
        upward.objective = Objective(.atLeast, 7200)
        #expect(throws: SLOError.self) { try upward.validate() }
        #expect(throws: SLOError.self) { try SLI(parsing: "job.colour") }
        #expect(try SLI(parsing: "job.success_rate").isRatio)
        #expect(try SLI(parsing: "job.heartbeat").isStaleness)
    }
}
