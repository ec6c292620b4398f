import Foundation
import Testing
import VigilCore
import VigilStore

/// Entries read back from the log equal what was written.
@Suite struct LogCodecTests {
    static let entries: [LogEntry] = [
        .prediction(
            Prediction(
                id: "p1", time: Timestamp(milliseconds: 1_580_515_200_123), model: "taxi-tip", version: "v2",
                segments: ["borough": "Queens", "pay": "card"],
                features: ["d": .number(2.5), "b": .string("Brooklyn ✓"), "n": .null], score: .probability(0.63),
                prediction: .number(1))),
        .prediction(
            Prediction(
                id: "p2", time: Timestamp(milliseconds: -5), model: "trip",
                score: .classes([ClassScore("a", 0.25), ClassScore("b", 0.75)]),
                prediction: .category("b"))),
        .prediction(
            Prediction(id: "p3", time: Timestamp(milliseconds: 0), model: "fare", prediction: .number(-3.25e-7))),
        .feedback(Feedback(id: "p1", time: Timestamp(milliseconds: 1_580_600_000_000), label: .number(0))),
        .feedback(Feedback(id: "p2", time: Timestamp(milliseconds: 1), label: .category(""))),
        .defineMetric(model: "taxi-tip", name: "m", expression: "sum(label == 1) / count()", backfill: true),
        .deleteMetric(model: "taxi-tip", name: "m"),
        .declareModel(model: "tiers", task: .multiclass, classes: ["low", "mid", "high"]),
        .declareModel(model: "clicks", task: .binary, classes: []),
        .checkpoint,
        .prediction(
            Prediction(
                id: "p1", time: Timestamp(milliseconds: 1_580_515_200_500), model: "taxi-tip", version: "v3",
                score: .probability(0.41), shadow: true)),
    ]

    @Test func roundTrip() throws {
        var bytes: [UInt8] = []
        for e in Self.entries { LogCodec.encode(e, into: &bytes) }
        var decoded: [LogEntry] = []
        try bytes.withUnsafeBytes { try LogCodec.decode($0) { decoded.append($0) } }
        #expect(decoded == Self.entries)
        var checkpoint: [UInt8] = []
        LogCodec.encode(.checkpoint, into: &checkpoint)
        #expect(checkpoint == LogCodec.checkpointBody)
    }

    @Test func truncatedRecordsAreReportedNotMisread() {
        var bytes: [UInt8] = []
        LogCodec.encode(Self.entries[0], into: &bytes)
        for cut in [1, 5, bytes.count / 2, bytes.count - 1] {
            #expect(throws: LogCorruption.self) {
                try Array(bytes[..<cut]).withUnsafeBytes { try LogCodec.decode($0) { _ in } }
            }
        }
    }
}
