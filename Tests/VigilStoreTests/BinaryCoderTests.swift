import Foundation
import Testing

@testable import VigilCore
@testable import VigilStore

/// The binary snapshot format: every `Codable` shape the engine uses comes back equal, and a whole engine —
/// three tasks, segments, profiles, orphans, custom metrics — restores to the same state.
struct BinaryCoderTests {
    enum Shape: Codable, Hashable {
        case empty
        case number(Double)
        case pair(String, count: Int)
        case nested(Inner?)
    }

    struct Inner: Codable, Hashable {
        var name: String
        var optional: Int?
        var missing: String?
        var numbers: [Double]
        var words: [String]
        var flags: [Bool]
        var maybe: [Int?]
        var byName: [String: Int64]
        var byInt: [Int: [UInt8]]
        var byWide: [Int64: Int32]
        var grid: [[UInt32]]
        var shapes: [Shape]
        var small: Int8
        var float: Float
    }

    static let inner = Inner(
        name: "模型 <x> \u{0}", optional: -7, missing: nil, numbers: [0, -1.5, .infinity, .nan, 1e-300],
        words: ["", "a b", "é"], flags: [true, false], maybe: [1, nil, 3], byName: ["a": 1, "": -2],
        byInt: [3: [1, 2], -4: []], byWide: [Int64.min: 5, 1 << 40: -1], grid: [[1], [], [2, 3]],
        shapes: [.empty, .number(2.5), .pair("p", count: 9), .nested(nil)], small: -128, float: 0.25)

    @Test func everyShapeRoundTrips() throws {
        let value = Shape.nested(Self.inner)
        let bytes = try BinaryEncoder().encode(value)
        let back = try BinaryDecoder().decode(Shape.self, from: Data(bytes))
        guard case .nested(let decoded?) = back else {
            Issue.record("decoded \(back)")
            return
        }
        #expect(decoded.numbers[3].isNaN)
        var expected = Self.inner
        var got = decoded
        expected.numbers[3] = 0
        got.numbers[3] = 0
        #expect(got == expected)
    }

    /// Hand-written coding with containers nested in unkeyed containers (synthesized code never does this).
    struct Nested: Codable, Equatable {
        var rows: [[Int]]
        var pairs: [String: Bool]

        init(rows: [[Int]], pairs: [String: Bool]) {
            self.rows = rows
            self.pairs = pairs
        }

        func encode(to encoder: any Encoder) throws {
            var outer = encoder.unkeyedContainer()
            for row in rows {
                var inner = outer.nestedUnkeyedContainer()
                for v in row { try inner.encode(v) }
            }
            var keyed = outer.nestedContainer(keyedBy: AnyKey.self)
            for (k, v) in pairs { try keyed.encode(v, forKey: AnyKey(stringValue: k)!) }
            try outer.encode(-1)
        }

        init(from decoder: any Decoder) throws {
            var outer = try decoder.unkeyedContainer()
            rows = []
            for _ in 0..<((outer.count ?? 2) - 2) {
                var inner = try outer.nestedUnkeyedContainer()
                var row: [Int] = []
                while !inner.isAtEnd { row.append(try inner.decode(Int.self)) }
                rows.append(row)
            }
            let keyed = try outer.nestedContainer(keyedBy: AnyKey.self)
            pairs = Dictionary(
                uniqueKeysWithValues: try keyed.allKeys.map {
                    ($0.stringValue, try keyed.decode(Bool.self, forKey: $0))
                })
            guard try outer.decode(Int.self) == -1 else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "sentinel"))
            }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    @Test func containersNestedInUnkeyedContainersRoundTrip() throws {
        let value = Nested(rows: [[1, 2], [], [3]], pairs: ["a": true, "b": false])
        let back = try BinaryDecoder().decode(Nested.self, from: Data(try BinaryEncoder().encode(value)))
        #expect(back == value)
    }

    @Test func truncatedBytesThrowInsteadOfCrashing() throws {
        let bytes = try BinaryEncoder().encode(Shape.nested(Self.inner))
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 40)) {
            #expect(throws: (any Error).self) { try BinaryDecoder().decode(Shape.self, from: Data(bytes.prefix(cut))) }
        }
    }

    /// Binary, multiclass and regression models with segments, string and number features, orphans,
    /// corrections and a custom metric.
    static func engine(events: Int, shards: Int = 1) throws -> (Engine, [LogEntry]) {
        var rng = SplitMix64(seed: 42)
        var configuration = EngineConfiguration()
        configuration.shards = shards
        var engine = Engine(configuration: configuration)
        try engine.defineMetric("high", on: "bin", "sum(score > 0.8 and label == 1) / sum(label == 1)")
        var entries: [LogEntry] = []
        let t0: Int64 = 1_767_225_600_000  // 2026-01-01
        for i in 0..<events {
            let t = Timestamp(milliseconds: t0 + Int64(i) * 45_000)
            let r = Double(rng.next() % 1000) / 1000
            let features: [String: FeatureValue] = [
                "x": .number(r * 10), "city": .string(["oslo", "lima", "pune"][i % 3]),
                "gap": i % 7 == 0 ? .null : .number(1),
            ]
            let segments = ["region": ["eu", "us", "apac"][i % 3]]
            let p: Prediction
            switch i % 3 {
            case 0:
                p = Prediction(
                    id: "b\(i)", time: t, model: "bin", version: i % 2 == 0 ? "v1" : "v2", segments: segments,
                    features: features, score: .probability(r))
            case 1:
                p = Prediction(
                    id: "c\(i)", time: t, model: "multi", version: "v1", segments: segments, features: features,
                    score: .classes([ClassScore("cash", r), ClassScore("card", 1 - r)]))
            default:
                p = Prediction(
                    id: "r\(i)", time: t, model: "reg", version: "v1", segments: segments, features: features,
                    prediction: .number(r * 30))
            }
            let label: Outcome =
                i % 3 == 0
                ? .number(Double(i % 2)) : i % 3 == 1 ? .category(r > 0.5 ? "cash" : "card") : .number(r * 28)
            let feedback = Feedback(id: p.id, time: t + .seconds(3600), label: label)
            if i % 17 == 0 { entries.append(.feedback(feedback)) }  // an orphan first
            entries.append(.prediction(p))
            if i % 5 == 0, i % 3 != 1 {  // a shadow of the binary or the regression model, on the same id
                var shadow = p
                shadow.version = "v3"
                shadow.shadow = true
                shadow.score = i % 3 == 0 ? .probability(1 - r) : nil
                shadow.prediction = i % 3 == 0 ? nil : .number(r * 25)
                entries.append(.prediction(shadow))
            }
            if i % 4 != 0 { entries.append(.feedback(feedback)) }
        }
        return (engine, entries)
    }

    /// A restart rebuilds identical shards: each shard's join, buckets, profiles and pairs come back as they were.
    @Test(arguments: [1, 3]) func aWholeEngineRestoresToTheSameState(shards: Int) throws {
        var (engine, entries) = try Self.engine(events: 3000, shards: shards)
        for e in entries[..<3000] { engine.apply(e) }
        var restored = try #require(try EngineSnapshot.decode(Data(try EngineSnapshot.encode(engine))))
        Self.expectSame(engine, restored)
        for e in entries[3000...] {
            engine.apply(e)
            restored.apply(e)
        }
        Self.expectSame(engine, restored)
        for model in ["bin", "reg"] {
            #expect(try engine.shadowComparison(model: model, shadow: "v3").labeledPairs > 0)
            #expect(
                try engine.shadowComparison(model: model, shadow: "v3")
                    == restored.shadowComparison(model: model, shadow: "v3"))
        }
        for model in ["bin", "multi", "reg"] {
            #expect(try engine.metrics(model: model).values == restored.metrics(model: model).values)
            #expect(try engine.profile(model: model).profile == restored.profile(model: model).profile)
        }
    }

    /// Streaming to a file in small chunks (so counts and lengths are patched after their bytes were flushed,
    /// and bulk arrays bypass the buffer) writes exactly the bytes encoded in memory.
    @Test(arguments: [64, 4096, 4 << 20]) func aStreamedSnapshotEqualsTheInMemoryOne(chunk: Int) throws {
        var (engine, entries) = try Self.engine(events: 1500)
        for e in entries { engine.apply(e) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-\(UUID().uuidString).vgs").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try SnapshotFile(path: path)
        let size = try EngineSnapshot.write(engine, to: file, chunk: chunk)
        try file.publish()
        let streamed = try Data(contentsOf: URL(fileURLWithPath: path))
        let inMemory = try EngineSnapshot.encode(engine)
        #expect(size == inMemory.count)
        #expect(streamed == Data(inMemory))
        Self.expectSame(engine, try #require(try EngineSnapshot.decode(streamed)))
    }

    /// A snapshot interrupted before it was published leaves no file that the store would read.
    @Test func anUnpublishedSnapshotIsRemovedWhenTheStoreOpens() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-snap-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var log: SQLiteStore? = try SQLiteStore(StoreConfiguration(directory: dir, synchronous: .off))
        try await log!.saveSnapshot(sequence: 3, createdAt: Timestamp(milliseconds: 0), engine: Engine())
        let snapshots = log!.configuration.snapshotDirectory
        // What a crash leaves: a temporary file, and a file whose row was never committed.
        try Data([1, 2]).write(to: URL(fileURLWithPath: snapshots + "/7.vgs.tmp"))
        try Data([1, 2]).write(to: URL(fileURLWithPath: snapshots + "/9.vgs"))
        log = nil
        log = try SQLiteStore(StoreConfiguration(directory: dir, synchronous: .off))
        #expect(try FileManager.default.contentsOfDirectory(atPath: snapshots) == ["3.vgs"])
        #expect(try await log!.snapshot()?.sequence == 3)
        #expect(try await EngineSnapshot.decode(try await #require(try await log!.snapshot()).body) != nil)
    }

    @Test func anOlderFormatIsIgnored() throws {
        #expect(try EngineSnapshot.decode(Data(#"{"format":2,"engine":{}}"#.utf8)) == nil)
    }

    static func expectSame(_ a: Engine, _ b: Engine) {
        #expect(a.modelSummaries == b.modelSummaries)
        #expect(a.statistics == b.statistics)
        #expect(a.seriesKeys == b.seriesKeys)
        #expect(a.models.map(\.segmentValues) == b.models.map(\.segmentValues))
        #expect(a.shards.count == b.shards.count)
        for (sa, sb) in zip(a.shards, b.shards) {
            for s in sa.series.indices where s < sb.series.count {
                #expect(sa.series[s].profiles == sb.series[s].profiles)
                for level in [Resolution.minute, .hour, .day] {
                    var x: [Int64: Aggregate] = [:]
                    var y: [Int64: Aggregate] = [:]
                    let (la, lb) =
                        level == .minute
                        ? (sa.series[s].minutes, sb.series[s].minutes)
                        : level == .hour
                            ? (sa.series[s].hours, sb.series[s].hours) : (sa.series[s].days, sb.series[s].days)
                    la.forEach { x[$0] = $1 }
                    lb.forEach { y[$0] = $1 }
                    #expect(x == y)
                }
            }
            #expect(sa.shadowPairs == sb.shadowPairs)
        }
        #expect(a.watermark == b.watermark)
    }
}
