import Foundation
import Testing
import VigilCore
import VigilServer

@testable import VigilCLI

/// The server's byte-level decoder gives the same events as the Foundation-based reader on the same
/// inputs, and survives random and truncated bytes.
@Suite struct WireDecoderTests {
    static func reference(_ ndjson: String, feedback: Bool = false) -> [Row] {
        let decoder = EventDecoder(file: "body")
        let lines: [String] = ndjson.split(separator: "\n").map(String.init)
        return lines.enumerated().map { (i: Int, line: String) -> Row in
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)),
                case .object = value
            else { return .bad("malformed") }
            do throws(RowError) {
                if feedback { return .ok(AnyHashable(try decoder.feedback(.json(object(value)), line: i))) }
                return .ok(AnyHashable(try decoder.prediction(.json(object(value)), line: i)))
            } catch {
                return .bad(error.field)
            }
        }
    }

    static func object(_ v: JSONValue) -> [String: JSONValue] {
        if case .object(let o) = v { return o }
        return [:]
    }

    static func fast(_ ndjson: String, feedback: Bool = false) throws -> [Row] {
        // A body starting with '[' is a JSON array: one syntax error refuses it whole.
        if ndjson.first == "[" {
            do { return try decodeFast(ndjson, feedback: feedback) } catch is MalformedBody {
                return [.bad("malformed")]
            }
        }
        return try decodeFast(ndjson, feedback: feedback)
    }

    static func decodeFast(_ ndjson: String, feedback: Bool) throws -> [Row] {
        var bytes = Array(ndjson.utf8)
        let rows: [Row] = try bytes.withUnsafeMutableBytes { raw in
            let body = UnsafeRawBufferPointer(raw)
            var out: [Int: Row] = [:]
            if feedback {
                let b = try WireDecoder.feedback(body)
                for (k, e) in b.events.enumerated() { out[b.indices[k]] = .ok(AnyHashable(e)) }
                for r in b.rejections { out[r.index] = .bad(r.code == "malformed_json" ? "malformed" : r.field) }
                return (0..<b.rowCount).map { out[$0]! }
            }
            let b = try WireDecoder.predictions(body)
            for (k, e) in b.events.enumerated() { out[b.indices[k]] = .ok(AnyHashable(e)) }
            for r in b.rejections { out[r.index] = .bad(r.code == "malformed_json" ? "malformed" : r.field) }
            return (0..<b.rowCount).map { out[$0]! }
        }
        return rows
    }

    static let predictions = """
        {"id":"p1","ts":"2020-02-01T00:00:00Z","model":"taxi","version":"v1","segment":{"pay":"card","n":3},"features":{"d":2.5,"s":"a\\"b\\u00e9\\ud83d\\ude00","z":null,"t":true},"score":0.63,"prediction":1}
        {"id":"p2","ts":1580515200.5,"model":"trip","score":{"b":0.7,"a":0.3},"prediction":"b"}
        {"id":"p3","timestamp":"2020-02-01T00:00:00.250+01:00","model":"fare","prediction":-12.5e-1,"version":null}
        {"id":"","ts":"2020-02-01T00:00:00Z","model":"m"}
        {"id":"p5","model":"m"}
        {"id":"p6","ts":"2020-02-01T00:00:00Z","model":"m","score":"x"}
        {"id":"p7","ts":"2020-02-01T00:00:00Z","model":"m","extra":1}
        {"id":"p8","ts":"2020-02-01T00:00:00Z","model":"m","features":{"a":[1]}}
        {"id":"p9","ts":"2020-02-01T00:00:00Z","model":"m","features":{"a":1e400}}
        {"id":"p10","ts":"2020-13-01T00:00:00Z","model":"m"}
        {"id":5,"ts":"2020-02-01T00:00:00Z","model":"m"}
        {"id":"p12","ts":"2020-02-01T00:00:00Z","model":"m","segment":{"k":["x"]}}
        """

    @Test func predictionsMatchFoundation() throws {
        let (fast, reference) = (try Self.fast(Self.predictions), Self.reference(Self.predictions))
        #expect(fast.count == reference.count)
        for (k, (a, b)) in zip(fast, reference).enumerated() {
            // 1e400 overflows: Foundation refuses the whole line, we name the field. Both reject it.
            if k == 8, case .bad("features.a") = a, case .bad("malformed") = b { continue }
            #expect(a == b, "row \(k)")
        }
    }

    @Test func feedbackMatchesFoundation() throws {
        let rows = """
            {"id":"p1","ts":"2020-02-01T00:00:00Z","label":1}
            {"id":"p2","ts":"2020-02-01T00:00:00Z","label":"long"}
            {"id":"p3","ts":"2020-02-01T00:00:00Z","label":true}
            {"id":"p4","ts":"2020-02-01T00:00:00Z"}
            {"id":"p5","ts":"2020-02-01T00:00:00Z","label":{"x":1}}
            {"id":"p6","ts":"2020-02-01T00:00:00Z","label":1,"model":"m"}
            """
        #expect(try Self.fast(rows, feedback: true) == Self.reference(rows, feedback: true))
    }

    @Test func taxiFixtureMatchesFoundation() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let csv = try String(contentsOf: root.appendingPathComponent("Fixtures/taxi/predictions.csv"), encoding: .utf8)
        var lines = csv.split(separator: "\n").map(String.init)
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        let ndjson = lines.prefix(3000).map { line -> String in
            let f = Dictionary(
                uniqueKeysWithValues: zip(
                    header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
            return
                #"{"id":"\#(f["id"]!)","ts":"\#(f["timestamp"]!)","model":"\#(f["model"]!)","version":"\#(f["version"]!)","segment":{"pay":"\#(f["payment_type"]!)"},"features":{"trip_distance":\#(f["trip_distance"]!),"borough":"\#(f["pickup_borough"]!)"},"score":\#(f["score"]!),"prediction":\#(f["prediction"]!)}"#
        }.joined(separator: "\n")
        let fast = try Self.fast(ndjson)
        #expect(fast.count == 3000)
        #expect(fast == Self.reference(ndjson))
    }

    /// Random mutations of valid rows: both decoders agree on which rows are valid and what they hold.
    @Test func fuzzedRowsAgreeWithFoundation() throws {
        var rng = SplitMix64(seed: 42)
        let base = Array(Self.predictions.split(separator: "\n").prefix(3).map { Array($0.utf8) })
        let alphabet = Array(#"{}[]":,.-+eE0123456789 \ntrufalsn"#.utf8) + [0xC3, 0xA9, 0xFF]
        for _ in 0..<2000 {
            var line = base[Int(rng.next() % 3)]
            for _ in 0..<(1 + rng.next() % 3) {
                let i = Int(rng.next() % UInt64(line.count))
                switch rng.next() % 3 {
                case 0: line[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: line.remove(at: i)
                default: line.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: i)
                }
            }
            guard !line.contains(UInt8(ascii: "\n")), let text = String(validating: line, as: UTF8.self) else {
                continue
            }
            let fast = try Self.fast(text)
            let reference = Self.reference(text)
            // Both must agree on whether the row is valid, and on its content when it is.
            #expect(fast.map(Self.isSuccess) == reference.map(Self.isSuccess), "\(text)")
            if case .ok(let a)? = fast.first, case .ok(let b)? = reference.first { #expect(a == b, "\(text)") }
        }
    }

    static func isSuccess(_ r: Row) -> Bool {
        if case .ok = r { return true }
        return false
    }

    /// One row's outcome: the decoded event's description, or the field at fault (`malformed` for broken JSON).
    enum Row: Hashable {
        case ok(AnyHashable)
        case bad(String)
    }
}
