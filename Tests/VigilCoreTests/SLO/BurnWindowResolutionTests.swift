import Testing

@testable import VigilCore

/// Each burn window says which buckets it was read from: minutes while recent; once they are pruned (2 days),
/// hours — and then a 5-minute window reads its whole hour, which the status says rather than hides.
struct BurnWindowResolutionTests {
    static let t0 = Timestamp(seconds: 1_699_999_200)  // on the hour

    /// One prediction a minute for two hours, all scored 0.9; the last 20 minutes' labels say they were wrong.
    static func engine() throws -> Engine {
        var engine = Engine()
        for i in 0..<120 {
            let t = t0 + .seconds(60 * i)
            _ = try engine.ingest(
                Prediction(id: "p\(i)", time: t, model: "m", version: "v1", score: .probability(0.9), prediction: .number(1)))
            _ = try engine.ingest(Feedback(id: "p\(i)", time: t + .seconds(30), label: .number(i < 100 ? 1 : 0)))
        }
        return engine
    }

    static let slo = SLODefinition(
        name: "acc", model: "m", sli: .metric("accuracy"), objective: Objective(.atLeast, 0.9), window: .seconds(86_400))

    static func burns(_ status: SLOStatus) -> [String: SLOStatus.WindowBurn] {
        Dictionary(uniqueKeysWithValues: status.burnRates.map { ($0.window, $0) })
    }

    @Test func recentWindowsReadMinutesAndOldOnesReadWholeHours() throws {
        var engine = try Self.engine()
        let end = Self.t0 + .seconds(7200)
        let recent = Self.burns(try engine.evaluate(Self.slo, at: end))
        // 5m: minutes 115–119, all wrong; 1h: minutes 60–119, 40 of 60 right.
        #expect(recent["5m"]?.resolution == "1m" && recent["5m"]?.sli.value == 0 && recent["5m"]?.sli.n == 5)
        #expect(recent["1h"]?.sli.value == 40.0 / 60 && recent["1h"]?.isCoarsened == false)
        #expect(try engine.evaluate(Self.slo, at: end).coarsenedNote == nil)

        // Three days on, the minute buckets are gone: the same evaluation reads hours.
        engine.advance(to: end + .seconds(3 * 86_400))
        let status = try engine.evaluate(Self.slo, at: end)
        let old = Self.burns(status)
        for w in ["5m", "30m"] {
            #expect(old[w]?.resolution == "1h" && old[w]?.isCoarsened == true, "\(w)")
            #expect(old[w]?.sli.value == 40.0 / 60 && old[w]?.sli.n == 60, "\(w) reads minutes 60–119")
        }
        #expect(old["1h"]?.resolution == "1h" && old["1h"]?.isCoarsened == false)
        #expect(old["1d"]?.isCoarsened == false)
        let note = try #require(status.coarsenedNote)
        #expect(note.hasPrefix("5m, 30m read 1h buckets"), "\(note)")
    }

    @Test func pipelineSLIsReadNoBuckets() throws {
        let engine = try Self.engine()
        let slo = SLODefinition(
            name: "jobs", model: "", sli: .pipeline(.jobSuccessRate), objective: Objective(.atLeast, 0.9),
            window: .seconds(86_400), job: JobRef(namespace: "etl", name: "daily"))
        let status = try engine.evaluate(slo, at: Self.t0 + .seconds(7200), inputs: SLIInputs(pipeline: PipelineHistory()))
        #expect(!status.burnRates.isEmpty && status.burnRates.allSatisfy { $0.resolution == nil && !$0.isCoarsened })
    }
}
