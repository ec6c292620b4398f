import VigilCore

/// The log body of a batch of entries could not be read back.
public struct LogCorruption: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "corrupt log record at byte \(offset): \(message)" }
}

/// A compact binary form of ``LogEntry`` for the log.
///
/// Recovery replays the log at millions of entries per second only if reading an entry costs little more
/// than its allocations, so entries are length-prefixed fields, not JSON. Layout per entry: a kind byte,
/// then strings as LEB128 length + UTF-8, times as 8-byte little-endian milliseconds, numbers as 8-byte
/// IEEE 754, maps as a count followed by their pairs.
public enum LogCodec {
    enum Kind: UInt8 {
        case prediction = 1, feedback = 2, defineMetric = 3, deleteMetric = 4, deleteModel = 5
        /// A prediction with `shadow: true`, in the same layout as `prediction`.
        case shadowPrediction = 6
        case declareModel = 7
        case checkpoint = 8
        case watermark = 9
        case sliceEdges = 10
    }

    /// The body of a batch holding one checkpoint: stores tell it from other control batches by it, since it
    /// changes no replay.
    public static let checkpointBody: [UInt8] = [Kind.checkpoint.rawValue]

    // MARK: - Encoding

    /// Appends `entry` to `out`.
    public static func encode(_ entry: LogEntry, into out: inout [UInt8]) {
        switch entry {
        case .prediction(let p):
            out.append(p.shadow ? Kind.shadowPrediction.rawValue : Kind.prediction.rawValue)
            string(p.id, &out)
            int64(p.time.milliseconds, &out)
            string(p.model, &out)
            string(p.version, &out)
            varint(p.segments.count, &out)
            for (k, v) in p.segments.sorted(by: { $0.key < $1.key }) {
                string(k, &out)
                string(v, &out)
            }
            varint(p.features.count, &out)
            for (k, v) in p.features {
                string(k, &out)
                switch v {
                case .null: out.append(0)
                case .number(let x):
                    out.append(1)
                    double(x, &out)
                case .string(let s):
                    out.append(2)
                    string(s, &out)
                }
            }
            switch p.score {
            case nil: out.append(0)
            case .probability(let s)?:
                out.append(1)
                double(s, &out)
            case .classes(let list)?:
                out.append(2)
                varint(list.count, &out)
                for c in list {
                    string(c.name, &out)
                    double(c.probability, &out)
                }
            }
            outcome(p.prediction, &out)
        case .feedback(let f):
            out.append(Kind.feedback.rawValue)
            string(f.id, &out)
            int64(f.time.milliseconds, &out)
            outcome(f.label, &out)
        case .defineMetric(let model, let name, let expression, let backfill):
            out.append(Kind.defineMetric.rawValue)
            string(model, &out)
            string(name, &out)
            string(expression, &out)
            out.append(backfill ? 1 : 0)
        case .deleteMetric(let model, let name):
            out.append(Kind.deleteMetric.rawValue)
            string(model, &out)
            string(name, &out)
        case .deleteModel(let model):
            out.append(Kind.deleteModel.rawValue)
            string(model, &out)
        case .declareModel(let model, let task, let classes):
            out.append(Kind.declareModel.rawValue)
            string(model, &out)
            string(task.rawValue, &out)
            varint(classes.count, &out)
            for c in classes { string(c, &out) }
        case .checkpoint:
            out.append(Kind.checkpoint.rawValue)
        case .watermark(let time):
            out.append(Kind.watermark.rawValue)
            int64(time.milliseconds, &out)
        case .sliceEdges(let model, let edges):
            out.append(Kind.sliceEdges.rawValue)
            string(model, &out)
            varint(edges.count, &out)
            for (column, cuts) in edges.sorted(by: { $0.key < $1.key }) {
                string(column, &out)
                varint(cuts.count, &out)
                for x in cuts { double(x, &out) }
            }
        }
    }

    static func varint(_ value: Int, _ out: inout [UInt8]) {
        var v = UInt64(value)
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func string(_ s: String, _ out: inout [UInt8]) {
        var s = s
        s.withUTF8 { bytes in
            varint(bytes.count, &out)
            out.append(contentsOf: bytes)
        }
    }

    static func int64(_ v: Int64, _ out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    static func double(_ v: Double, _ out: inout [UInt8]) {
        int64(Int64(bitPattern: v.bitPattern), &out)
    }

    static func outcome(_ o: Outcome?, _ out: inout [UInt8]) {
        switch o {
        case nil: out.append(0)
        case .number(let x)?:
            out.append(1)
            double(x, &out)
        case .category(let s)?:
            out.append(2)
            string(s, &out)
        }
    }

    // MARK: - Decoding

    /// Calls `body` with every entry of a log body, in order.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, _ body: (LogEntry) throws -> Void
    ) throws {
        var r = Reader(bytes: bytes)
        while !r.isAtEnd { try body(try r.entry()) }
    }

    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var i = 0

        var isAtEnd: Bool { i >= bytes.count }

        func corrupt(_ message: String) -> LogCorruption { LogCorruption(offset: i, message: message) }

        mutating func byte() throws(LogCorruption) -> UInt8 {
            guard i < bytes.count else { throw corrupt("truncated") }
            defer { i += 1 }
            return bytes[i]
        }

        mutating func varint() throws(LogCorruption) -> Int {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
                guard shift < 64 else { throw corrupt("varint too long") }
            }
            guard v <= UInt64(Int.max) else { throw corrupt("length out of range") }
            return Int(v)
        }

        mutating func string() throws(LogCorruption) -> String {
            let n = try varint()
            guard n <= bytes.count - i else { throw corrupt("string runs past the record") }
            defer { i += n }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)]), as: UTF8.self)
        }

        mutating func int64() throws(LogCorruption) -> Int64 {
            guard bytes.count - i >= 8 else { throw corrupt("truncated") }
            defer { i += 8 }
            return Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: Int64.self))
        }

        mutating func double() throws(LogCorruption) -> Double {
            Double(bitPattern: UInt64(bitPattern: try int64()))
        }

        mutating func outcome() throws(LogCorruption) -> Outcome? {
            switch try byte() {
            case 0: return nil
            case 1: return .number(try double())
            case 2: return .category(try string())
            default: throw corrupt("bad outcome tag")
            }
        }

        mutating func entry() throws(LogCorruption) -> LogEntry {
            guard let kind = Kind(rawValue: try byte()) else { throw corrupt("unknown entry kind") }
            switch kind {
            case .prediction: return .prediction(try prediction())
            case .shadowPrediction:
                var p = try prediction()
                p.shadow = true
                return .prediction(p)
            case .feedback:
                let id = try string()
                let time = Timestamp(milliseconds: try int64())
                guard let label = try outcome() else { throw corrupt("feedback without a label") }
                return .feedback(Feedback(id: id, time: time, label: label))
            case .defineMetric:
                return .defineMetric(
                    model: try string(), name: try string(), expression: try string(), backfill: try byte() == 1)
            case .deleteMetric:
                return .deleteMetric(model: try string(), name: try string())
            case .deleteModel:
                return .deleteModel(model: try string())
            case .declareModel:
                let model = try string()
                let text = try string()
                guard let task = ModelTask(rawValue: text) else { throw corrupt("unknown task '\(text)'") }
                var classes: [String] = []
                for _ in 0..<(try varint()) { classes.append(try string()) }
                return .declareModel(model: model, task: task, classes: classes)
            case .checkpoint:
                return .checkpoint
            case .watermark:
                return .watermark(Timestamp(milliseconds: try int64()))
            case .sliceEdges:
                let model = try string()
                var edges: [String: [Double]] = [:]
                for _ in 0..<(try varint()) {
                    let column = try string()
                    var cuts: [Double] = []
                    for _ in 0..<(try varint()) { cuts.append(try double()) }
                    edges[column] = cuts
                }
                return .sliceEdges(model: model, edges: edges)
            }
        }

        mutating func prediction() throws(LogCorruption) -> Prediction {
            var p = Prediction(
                id: try string(), time: Timestamp(milliseconds: try int64()), model: try string(), version: try string()
            )
            let segmentCount = try varint()
            if segmentCount > 0 {
                p.segments.reserveCapacity(segmentCount)
                for _ in 0..<segmentCount { p.segments[try string()] = try string() }
            }
            let featureCount = try varint()
            p.features.reserveCapacity(min(featureCount, bytes.count - i))
            for _ in 0..<featureCount {
                let name = try string()
                switch try byte() {
                case 0: p.features[name] = .null
                case 1: p.features[name] = .number(try double())
                case 2: p.features[name] = .string(try string())
                default: throw corrupt("bad feature tag")
                }
            }
            switch try byte() {
            case 0: break
            case 1: p.score = .probability(try double())
            case 2:
                let n = try varint()
                var list: [ClassScore] = []
                list.reserveCapacity(n)
                for _ in 0..<n { list.append(ClassScore(try string(), try double())) }
                p.score = .classes(list)
            default: throw corrupt("bad score tag")
            }
            p.prediction = try outcome()
            return p
        }
    }
}
