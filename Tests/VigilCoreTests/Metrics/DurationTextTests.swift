import Testing
import VigilCore

/// Durations read as durations: the taxi demo's median label lag of 88,462 s is 24.6 h.
struct DurationTextTests {
    @Test func secondsReadAsTheLargestUnitThatKeepsThemShort() {
        #expect(DurationText.format(seconds: 42) == "42 s")
        #expect(DurationText.format(seconds: 750) == "12.5 min")
        #expect(DurationText.format(seconds: 88_462) == "24.6 h")
        #expect(DurationText.format(seconds: 3600) == "60 min")
        #expect(DurationText.format(seconds: 213_212_320) == "2467.7 d")
        #expect(DurationText.format(seconds: .infinity) == "—")
        #expect(MetricCatalog.unit(of: "label_lag_p50") == "seconds" && MetricCatalog.unit(of: "accuracy") == nil)
    }
}
