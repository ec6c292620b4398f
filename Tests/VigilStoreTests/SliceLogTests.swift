import Foundation
import Testing
import VigilCore
import VigilStore

/// Slice counts survive the log and snapshots: the bins come back through a log entry, the counts (and each join
/// entry's slice codes, which its later labels need) through a snapshot.
@Suite struct SliceLogTests {
    static let edges: [String: [Double]] = ["distance": [1, 2.5, 7], "hour": [6, 12, 18]]

    /// Rows where the "late" city's predictions turn wrong after 20:00, with labels and corrections.
    static func entries() -> [LogEntry] {
        var out: [LogEntry] = [.sliceEdges(model: "m", edges: edges)]
        let start = Timestamp(milliseconds: 1_790_000_000_000)
        for i in 0..<600 {
            let t = start + .seconds(Int64(i) * 120)
            let city = ["north", "south", "late"][i % 3]
            out.append(
                .prediction(
                    Prediction(
                        id: "p\(i)", time: t, model: "m", version: "v1",
                        features: [
                            "city": .string(city), "distance": i % 7 == 0 ? .null : .number(Double(i % 11)),
                            "hour": .number(Double(i / 30 % 24)),
                        ], score: .probability(Double(i % 10) / 10))))
            let wrong = city == "late" && i > 400 || i % 9 == 0
            let predicted = i % 10 >= 5
            out.append(
                .feedback(Feedback(id: "p\(i)", time: t + .seconds(60), label: .number(predicted != wrong ? 1 : 0))))
            if i % 13 == 0 {
                out.append(.feedback(Feedback(id: "p\(i)", time: t + .seconds(90), label: .number(predicted ? 0 : 1))))
            }
        }
        return out
    }

    static func report(_ engine: Engine) throws -> SliceReport {
        try engine.slices(
            model: "m", metric: .accuracy, from: Timestamp(milliseconds: 0), to: Timestamp(milliseconds: 1 << 50),
            minSize: 10, limit: 1000)
    }

    @Test func theEdgesEntryRoundTripsThroughTheCodec() throws {
        var body: [UInt8] = []
        LogCodec.encode(.sliceEdges(model: "m", edges: Self.edges), into: &body)
        var decoded: [LogEntry] = []
        try body.withUnsafeBytes { bytes in try LogCodec.decode(bytes) { decoded.append($0) } }
        #expect(decoded == [.sliceEdges(model: "m", edges: Self.edges)])
    }

    @Test func aSnapshotMidwayThenTheRestGivesTheSameSlices() throws {
        let all = Self.entries()
        var engine = Engine()
        for e in all[..<700] { engine.apply(e) }
        var restored = try #require(try EngineSnapshot.decode(Data(try EngineSnapshot.encode(engine))))
        #expect(try Self.report(restored) == Self.report(engine))
        for e in all[700...] {
            engine.apply(e)
            restored.apply(e)
        }
        let report = try Self.report(engine)
        #expect(try Self.report(restored) == report)
        #expect(report.slices.first?.slice.hasSuffix("city = late") == true && report.discoveries > 0)
        #expect(report.slices.contains { $0.slice == "distance in [2.5, 7)" })
    }
}
