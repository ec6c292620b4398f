import Testing
import VigilCore

/// A daily series over data older than the minute buckets' retention has equal steps — every edge cut at
/// the hour, the coarsest resolution its oldest edge needs — and each report names the resolution used.
struct EvenStepsTests {
    @Test func dailyStepsOverFoldedMinutesAreAllADayLong() throws {
        var engine = Engine()
        let t0 = Timestamp(milliseconds: 1_796_256_000_000)  // 2026-12-03T00:00:00Z
        for h in 0..<(10 * 24) {
            let t = t0 + .seconds(Int64(h) * 3600 + 600)
            try engine.ingest(Prediction(id: "p\(h)", time: t, model: "m", score: .probability(0.7), prediction: .number(1)))
        }
        // Now is 10 days on, at 10:35: minute buckets older than 2 days are folded into hours.
        let offset: Int64 = 9 * 86_400 + 10 * 3600 + 35 * 60
        let now = t0 + .seconds(offset)
        engine.advance(to: now)
        let series = try engine.metricSeries(
            model: "m", from: now - .seconds(7 * 86_400), to: now, step: .seconds(86_400), names: ["count"])
        #expect(series.count == 7)
        for r in series {
            let (a, b) = (r.from?.milliseconds ?? 0, r.to?.milliseconds ?? 0)
            #expect(b - a == 86_400_000)
            #expect(a % 3_600_000 == 0)
        }
        #expect(series.first?.resolution == .hour)
        // Recent windows are cut at the minute.
        let recent = try engine.metrics(model: "m", window: .range(from: now - .seconds(3600), to: now), names: ["count"])
        #expect(recent.resolution == .minute && recent.from == now - .seconds(3600))
    }
}
