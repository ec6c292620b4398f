import VigilCore

/// One rejected row of a batch: its index in the batch, the field at fault and why.
public struct RowRejection: Error, Sendable, Hashable, Codable {
    /// 0-based position of the row in the request (array element or non-blank NDJSON line).
    public var index: Int
    /// The field at fault (`score`, `features.trip_distance`), or empty when the row itself is malformed.
    public var field: String
    /// Stable reason: `malformed_json`, `missing_field`, `invalid_type`, `invalid_value`, `unknown_field`,
    /// `task_mismatch`, `conflict`, `future_timestamp`.
    public var code: String
    public var message: String

    public init(index: Int, field: String, code: String, message: String) {
        self.index = index
        self.field = field
        self.code = code
        self.message = message
    }
}

/// A request body that cannot be split into rows at all (a JSON array with a syntax error).
package struct MalformedBody: Error, Sendable {
    package var message: String
}

/// The rows of a request body: the events that decoded, each with its row index, and the rejections.
package struct DecodedBatch<Event: Sendable>: Sendable {
    package var events: [Event] = []
    package var indices: [Int] = []
    package var rejections: [RowRejection] = []
    package var rowCount = 0
}

/// Decodes prediction and feedback batches — a JSON array or NDJSON — straight from the request bytes.
///
/// The schema and its rules are those of `docs/api.md`: unknown fields are rejected (a typo such as
/// `scroe` would otherwise silently drop a score), `ts` is an ISO 8601 string or epoch seconds, and NaN or
/// infinite numbers cannot be written in JSON at all. In NDJSON a malformed line rejects that row only; in a
/// JSON array a syntax error leaves no way to find the next row, so the whole body is refused.
package enum WireDecoder {
    package static func predictions(_ body: UnsafeRawBufferPointer) throws(MalformedBody) -> DecodedBatch<Prediction> {
        try rows(body) { (s) throws(RowFailure) in try decodePrediction(&s) }
    }

    package static func feedback(_ body: UnsafeRawBufferPointer) throws(MalformedBody) -> DecodedBatch<Feedback> {
        try rows(body) { (s) throws(RowFailure) in try decodeFeedback(&s) }
    }

    // MARK: - Rows

    /// Why one row failed: a field problem, or broken JSON.
    package struct RowFailure: Error {
        var field: String
        var code: String
        var message: String
        var syntax: JSONSyntaxError?

        init(_ field: String, _ code: String, _ message: String) {
            self.field = field
            self.code = code
            self.message = message
        }

        init(_ syntax: JSONSyntaxError) {
            self.field = ""
            self.code = "malformed_json"
            self.message = syntax.message
            self.syntax = syntax
        }
    }

    static func rows<Event>(
        _ body: UnsafeRawBufferPointer, _ decode: (inout JSONScanner) throws(RowFailure) -> Event
    ) throws(MalformedBody) -> DecodedBatch<Event> {
        var scanner = JSONScanner(body)
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "[") {
            return try arrayRows(scanner, decode)
        }
        return ndjsonRows(body, decode)
    }

    private static func arrayRows<Event>(
        _ start: JSONScanner, _ decode: (inout JSONScanner) throws(RowFailure) -> Event
    ) throws(MalformedBody) -> DecodedBatch<Event> {
        var batch = DecodedBatch<Event>()
        var s = start
        s.position += 1
        func malformed(_ e: JSONSyntaxError, row: Int) -> MalformedBody {
            MalformedBody(
                message:
                    "malformed JSON at byte \(e.offset) (row \(row)): \(e.message); no row of this body was accepted")
        }
        if s.consume(UInt8(ascii: "]")) {
            return try finishArray(s, batch)
        }
        while true {
            let index = batch.rowCount
            batch.rowCount += 1
            s.skipWhitespace()
            let rowStart = s.position
            do throws(RowFailure) {
                let event = try decode(&s)
                batch.events.append(event)
                batch.indices.append(index)
            } catch {
                if let syntax = error.syntax { throw malformed(syntax, row: index) }
                batch.rejections.append(
                    RowRejection(index: index, field: error.field, code: error.code, message: error.message))
                s.position = rowStart
                do { try s.skipValue() } catch { throw malformed(error, row: index) }
            }
            if s.consume(UInt8(ascii: ",")) { continue }
            do { try s.expect(UInt8(ascii: "]"), "',' or ']'") } catch { throw malformed(error, row: index) }
            return try finishArray(s, batch)
        }
    }

    private static func finishArray<Event>(_ s: JSONScanner, _ batch: DecodedBatch<Event>) throws(MalformedBody)
        -> DecodedBatch<Event>
    {
        var s = s
        s.skipWhitespace()
        guard s.isAtEnd else {
            throw MalformedBody(message: "unexpected data after the JSON array at byte \(s.position)")
        }
        return batch
    }

    private static func ndjsonRows<Event>(
        _ body: UnsafeRawBufferPointer, _ decode: (inout JSONScanner) throws(RowFailure) -> Event
    ) -> DecodedBatch<Event> {
        var batch = DecodedBatch<Event>()
        var lineStart = 0
        let n = body.count
        while lineStart < n {
            var lineEnd = lineStart
            while lineEnd < n, body[lineEnd] != 0x0A { lineEnd += 1 }
            var s = JSONScanner(body, from: lineStart, to: lineEnd)
            s.skipWhitespace()
            if !s.isAtEnd {
                let index = batch.rowCount
                batch.rowCount += 1
                do throws(RowFailure) {
                    let event = try decode(&s)
                    s.skipWhitespace()
                    guard s.isAtEnd else {
                        throw RowFailure(s.error("unexpected data after the object; NDJSON holds one object per line"))
                    }
                    batch.events.append(event)
                    batch.indices.append(index)
                } catch {
                    var message = error.message
                    if let syntax = error.syntax {
                        message = "malformed JSON at byte \(syntax.offset): \(syntax.message)"
                    }
                    batch.rejections.append(
                        RowRejection(index: index, field: error.field, code: error.code, message: message))
                }
            }
            lineStart = lineEnd + 1
        }
        return batch
    }

    // MARK: - Predictions

    static let predictionFields = "id, ts, model, version, segment, features, score, prediction, shadow"
    static let feedbackFields = "id, ts, label"

    private static func decodePrediction(_ s: inout JSONScanner) throws(RowFailure) -> Prediction {
        guard try kind(&s) == .object else { throw try wrongType(&s, "", "an object") }
        try syntax { () throws(JSONSyntaxError) in try s.beginObject() }
        var id: String?
        var time: Timestamp?
        var model: String?
        var p = Prediction(id: "", time: Timestamp(milliseconds: 0), model: "")
        var first = true
        while let key = try syntax({ () throws(JSONSyntaxError) in try s.nextKey(first: &first) }) {
            if key.equals("id") {
                id = try text(&s, "id")
            } else if isTimeKey(key) {
                time = try timestamp(&s, String(decoding: key, as: UTF8.self))
            } else if key.equals("model") {
                model = try text(&s, "model")
            } else if key.equals("version") {
                p.version = try isNull(&s) ? "" : try text(&s, "version", allowEmpty: true)
            } else if key.equals("features") {
                p.features = try features(&s)
            } else if key.equals("score") {
                p.score = try score(&s)
            } else if key.equals("prediction") {
                p.prediction = try outcome(&s, "prediction")
            } else if key.equals("segment") || key.equals("segments") {
                try segments(&s, String(decoding: key, as: UTF8.self), into: &p.segments)
            } else if key.equals("shadow") {
                guard try kind(&s) == .bool else { throw try wrongType(&s, "shadow", "true or false") }
                p.shadow = try syntax { () throws(JSONSyntaxError) in try s.bool() }
            } else {
                throw unknownField(key, s, expected: predictionFields)
            }
        }
        guard let id else { throw RowFailure("id", "missing_field", "missing id") }
        guard let time else { throw RowFailure("ts", "missing_field", "missing ts") }
        guard let model else { throw RowFailure("model", "missing_field", "missing model") }
        p.id = id
        p.time = time
        p.model = model
        return p
    }

    private static func decodeFeedback(_ s: inout JSONScanner) throws(RowFailure) -> Feedback {
        guard try kind(&s) == .object else { throw try wrongType(&s, "", "an object") }
        try syntax { () throws(JSONSyntaxError) in try s.beginObject() }
        var id: String?
        var time: Timestamp?
        var label: Outcome?
        var first = true
        while let key = try syntax({ () throws(JSONSyntaxError) in try s.nextKey(first: &first) }) {
            if key.equals("id") {
                id = try text(&s, "id")
            } else if isTimeKey(key) {
                time = try timestamp(&s, String(decoding: key, as: UTF8.self))
            } else if key.equals("label") {
                label = try outcome(&s, "label")
            } else {
                throw unknownField(key, s, expected: feedbackFields)
            }
        }
        guard let id else { throw RowFailure("id", "missing_field", "missing id") }
        guard let time else { throw RowFailure("ts", "missing_field", "missing ts") }
        guard let label else { throw RowFailure("label", "missing_field", "missing label") }
        return Feedback(id: id, time: time, label: label)
    }

    // MARK: - Fields

    /// `ts`, or its accepted aliases `timestamp` and `time`.
    private static func isTimeKey(_ key: UnsafeRawBufferPointer) -> Bool {
        key.equals("ts") || key.equals("timestamp") || key.equals("time")
    }

    @inline(__always)
    private static func syntax<T>(_ body: () throws(JSONSyntaxError) -> T) throws(RowFailure) -> T {
        do { return try body() } catch { throw RowFailure(error) }
    }

    private static func unknownField(_ key: UnsafeRawBufferPointer, _ s: JSONScanner, expected: String) -> RowFailure {
        let name = s.keyName(key)
        return RowFailure(name, "unknown_field", "unknown field '\(name)'; expected \(expected)")
    }

    private static func kind(_ s: inout JSONScanner) throws(RowFailure) -> JSONScanner.Kind {
        try syntax { () throws(JSONSyntaxError) in try s.peekKind() }
    }

    private static func isNull(_ s: inout JSONScanner) throws(RowFailure) -> Bool {
        _ = try kind(&s)
        return s.null()
    }

    private static func wrongType(_ s: inout JSONScanner, _ field: String, _ expected: String) throws(RowFailure)
        -> RowFailure
    {
        let found = try kind(&s)
        return RowFailure(field, "invalid_type", "expected \(expected), found \(found.name)")
    }

    private static func text(_ s: inout JSONScanner, _ field: String, allowEmpty: Bool = false) throws(RowFailure)
        -> String
    {
        guard try kind(&s) == .string else {
            if try isNull(&s) { throw RowFailure(field, "missing_field", "missing \(field)") }
            throw try wrongType(&s, field, "a string")
        }
        let value = try syntax { () throws(JSONSyntaxError) in try s.string() }
        guard allowEmpty || !value.isEmpty else { throw RowFailure(field, "missing_field", "missing \(field)") }
        return value
    }

    private static func timestamp(_ s: inout JSONScanner, _ field: String) throws(RowFailure) -> Timestamp {
        switch try kind(&s) {
        case .string:
            let value = try syntax { () throws(JSONSyntaxError) in try s.string() }
            var copy = value
            guard let t = copy.withUTF8({ Timestamp.parse($0) }) else {
                throw RowFailure(
                    field, "invalid_value", "'\(value)' is not an ISO 8601 time such as 2024-05-01T12:00:00Z")
            }
            return t
        case .number:
            let seconds = try syntax { () throws(JSONSyntaxError) in try s.number() }
            guard abs(seconds) < 1e12 else {
                throw RowFailure(field, "invalid_value", "epoch seconds \(seconds) out of range")
            }
            return Timestamp(milliseconds: Int64((seconds * 1000).rounded()))
        default:
            throw try wrongType(&s, field, "an ISO 8601 string or epoch seconds")
        }
    }

    private static func finite(_ s: inout JSONScanner, _ field: String) throws(RowFailure) -> Double {
        let v = try syntax { () throws(JSONSyntaxError) in try s.number() }
        // JSON cannot spell NaN or infinity, but 1e999 overflows to infinity.
        guard v.isFinite else { throw RowFailure(field, "invalid_value", "\(field) must be a finite number") }
        return v
    }

    private static func outcome(_ s: inout JSONScanner, _ field: String) throws(RowFailure) -> Outcome? {
        switch try kind(&s) {
        case .null:
            _ = s.null()
            return nil
        case .number: return .number(try finite(&s, field))
        case .string: return .category(try syntax { () throws(JSONSyntaxError) in try s.string() })
        case .bool: return .number(try syntax { () throws(JSONSyntaxError) in try s.bool() } ? 1 : 0)
        default: throw try wrongType(&s, field, "a number, string or boolean")
        }
    }

    private static func features(_ s: inout JSONScanner) throws(RowFailure) -> [String: FeatureValue] {
        guard try kind(&s) == .object else { throw try wrongType(&s, "features", "an object") }
        try syntax { () throws(JSONSyntaxError) in try s.beginObject() }
        var result: [String: FeatureValue] = [:]
        var first = true
        while let key = try syntax({ () throws(JSONSyntaxError) in try s.nextKey(first: &first) }) {
            let name = s.keyName(key)
            let field = "features." + name
            switch try kind(&s) {
            case .null:
                _ = s.null()
                result[name] = .null
            case .number: result[name] = .number(try finite(&s, field))
            case .string: result[name] = .string(try syntax { () throws(JSONSyntaxError) in try s.string() })
            case .bool: result[name] = .number(try syntax { () throws(JSONSyntaxError) in try s.bool() } ? 1 : 0)
            default: throw try wrongType(&s, field, "a number, string or null")
            }
        }
        return result
    }

    private static func score(_ s: inout JSONScanner) throws(RowFailure) -> Score? {
        switch try kind(&s) {
        case .null:
            _ = s.null()
            return nil
        case .number: return .probability(try finite(&s, "score"))
        case .object:
            try syntax { () throws(JSONSyntaxError) in try s.beginObject() }
            var list: [ClassScore] = []
            var first = true
            while let key = try syntax({ () throws(JSONSyntaxError) in try s.nextKey(first: &first) }) {
                let name = s.keyName(key)
                guard try kind(&s) == .number else { throw try wrongType(&s, "score." + name, "a number") }
                list.append(ClassScore(name, try finite(&s, "score." + name)))
            }
            // One order for the same classes whatever order the client wrote them in.
            list.sort { $0.name < $1.name }
            return .classes(list)
        default:
            throw try wrongType(&s, "score", "a probability or an object of class → probability")
        }
    }

    private static func segments(_ s: inout JSONScanner, _ field: String, into tags: inout [String: String])
        throws(RowFailure)
    {
        guard try kind(&s) == .object else { throw try wrongType(&s, field, "an object of tag → string") }
        try syntax { () throws(JSONSyntaxError) in try s.beginObject() }
        var first = true
        while let key = try syntax({ () throws(JSONSyntaxError) in try s.nextKey(first: &first) }) {
            let name = s.keyName(key)
            switch try kind(&s) {
            case .string: tags[name] = try syntax { () throws(JSONSyntaxError) in try s.string() }
            case .number: tags[name] = Outcome.number(try finite(&s, field + "." + name)).description
            case .bool: tags[name] = String(try syntax { () throws(JSONSyntaxError) in try s.bool() })
            default: throw try wrongType(&s, field + "." + name, "a string")
            }
        }
    }
}
