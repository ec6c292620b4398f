#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where and why a JSON text is malformed.
package struct JSONSyntaxError: Error, Sendable, Hashable {
    /// Byte offset of the problem from the start of the scanned text.
    package var offset: Int
    package var message: String
}

/// A cursor over UTF-8 JSON bytes with the primitives a schema-specific decoder needs.
///
/// Foundation's `JSONDecoder` decodes ~100 k small events/s per core, well below the ingest target, and
/// builds a dictionary per object. This scanner reads straight from the request buffer: callers match
/// keys as bytes and read each value into its final type, so an event costs only its own allocations.
package struct JSONScanner {
    let bytes: UnsafeRawBufferPointer
    package var position: Int
    let end: Int
    /// The decoded key when the last key read by ``nextKey(first:)`` had escapes (its bytes are then empty).
    package var escapedKey: String?

    package init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
    }

    package var isAtEnd: Bool { position >= end }

    @inline(__always) package func peek() -> UInt8? { position < end ? bytes[position] : nil }

    package func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(offset: position, message: message) }

    @inline(__always) package mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Consumes `byte` after optional whitespace.
    package mutating func expect(_ byte: UInt8, _ what: String) throws(JSONSyntaxError) {
        skipWhitespace()
        guard position < end, bytes[position] == byte else {
            throw error(
                position < end
                    ? "expected \(what), found '\(Self.describe(bytes[position]))'"
                    : "expected \(what), found end of input")
        }
        position += 1
    }

    /// Consumes `byte` if it comes next (after whitespace).
    @inline(__always) package mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        if position < end, bytes[position] == byte {
            position += 1
            return true
        }
        return false
    }

    // MARK: - Kinds

    /// The kind of the next value, without consuming it.
    package enum Kind: Sendable {
        case object, array, string, number, bool, null

        package var name: String {
            switch self {
            case .object: return "an object"
            case .array: return "an array"
            case .string: return "a string"
            case .number: return "a number"
            case .bool: return "a boolean"
            case .null: return "null"
            }
        }
    }

    package mutating func peekKind() throws(JSONSyntaxError) -> Kind {
        skipWhitespace()
        guard let b = peek() else { throw error("expected a value, found end of input") }
        switch b {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw error("expected a value, found '\(Self.describe(b))'")
        }
    }

    // MARK: - Objects

    /// Consumes the `{` that opens an object.
    package mutating func beginObject() throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "{"), "'{'")
    }

    /// The next member's key (its value comes next), or `nil` after the closing `}`.
    ///
    /// ```swift
    /// try s.beginObject()
    /// var first = true
    /// while let key = try s.nextKey(first: &first) { try s.skipValue() }
    /// ```
    package mutating func nextKey(first: inout Bool) throws(JSONSyntaxError) -> UnsafeRawBufferPointer? {
        if first {
            first = false
            if consume(UInt8(ascii: "}")) { return nil }
        } else if !consume(UInt8(ascii: ",")) {
            try expect(UInt8(ascii: "}"), "',' or '}'")
            return nil
        }
        skipWhitespace()
        escapedKey = nil
        let key = try rawStringBytes()
        try expect(UInt8(ascii: ":"), "':'")
        return key
    }

    /// The last key read by ``nextKey(first:)`` as a string.
    package func keyName(_ key: UnsafeRawBufferPointer) -> String {
        escapedKey ?? String(decoding: key, as: UTF8.self)
    }

    /// The bytes of a string without escapes (keys of our schema never need them), or a decoded copy.
    private mutating func rawStringBytes() throws(JSONSyntaxError) -> UnsafeRawBufferPointer {
        guard peek() == UInt8(ascii: "\"") else {
            throw error(
                position < end
                    ? "expected a string key, found '\(Self.describe(bytes[position]))'"
                    : "expected a string key, found end of input")
        }
        let start = position + 1
        var i = start
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                position = i + 1
                return UnsafeRawBufferPointer(rebasing: bytes[start..<i])
            }
            // Escaped or control characters in keys: no key of our schema has them; report it as unknown.
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            i += 1
        }
        if i >= end { throw JSONSyntaxError(offset: start - 1, message: "unterminated string") }
        // Keys with escapes never match our fixed keys; decode them for names (features, classes, tags).
        escapedKey = try string()
        return UnsafeRawBufferPointer(start: nil, count: 0)
    }

    // MARK: - Strings

    /// Reads a string value, decoding escapes and checking UTF-8.
    package mutating func string() throws(JSONSyntaxError) -> String {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { throw error("expected a string") }
        let start = position + 1
        var i = start
        var plain = true
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") {
                plain = false
                i += 2
                continue
            }
            if b < 0x20 { throw JSONSyntaxError(offset: i, message: "control character in string") }
            if b >= 0x80 { plain = false }
            i += 1
        }
        guard i < end else { throw JSONSyntaxError(offset: start - 1, message: "unterminated string") }
        position = i + 1
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
        if plain {
            return String(unsafeUninitializedCapacity: raw.count) {
                _ = $0.initialize(from: raw); return raw.count
            }
        }
        return try decodeEscaped(raw, at: start)
    }

    private func decodeEscaped(_ raw: UnsafeRawBufferPointer, at base: Int) throws(JSONSyntaxError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            let b = raw[i]
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                i += 1
                continue
            }
            guard i + 1 < raw.count else { throw JSONSyntaxError(offset: base + i, message: "bad escape") }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(raw, &i, base)
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 1 < raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u") else {
                        throw JSONSyntaxError(offset: base + i, message: "unpaired surrogate in \\u escape")
                    }
                    i += 2
                    let low = try hex4(raw, &i, base)
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw JSONSyntaxError(offset: base + i, message: "unpaired surrogate in \\u escape")
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw JSONSyntaxError(offset: base + i, message: "unpaired surrogate in \\u escape")
                }
                guard let u = Unicode.Scalar(scalar) else {
                    throw JSONSyntaxError(offset: base + i, message: "invalid \\u escape")
                }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw JSONSyntaxError(offset: base + i - 1, message: "bad escape '\\\(Self.describe(e))'")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw JSONSyntaxError(offset: base, message: "string is not valid UTF-8")
        }
        return s
    }

    private func hex4(_ raw: UnsafeRawBufferPointer, _ i: inout Int, _ base: Int) throws(JSONSyntaxError) -> UInt32 {
        guard i + 4 <= raw.count else { throw JSONSyntaxError(offset: base + i, message: "short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = raw[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - 55)
            default: throw JSONSyntaxError(offset: base + i, message: "bad hex digit in \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    // MARK: - Numbers and literals

    /// Reads a number per the JSON grammar (so `NaN`, `Infinity`, `0x1` and `+1` are syntax errors).
    package mutating func number() throws(JSONSyntaxError) -> Double {
        skipWhitespace()
        let start = position
        var i = position
        if i < end, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        while i < end, bytes[i] &- 48 < 10 { i += 1 }
        let intDigits = i - intStart
        guard intDigits > 0 else { throw JSONSyntaxError(offset: start, message: "expected a number") }
        if intDigits > 1, bytes[intStart] == UInt8(ascii: "0") {
            throw JSONSyntaxError(offset: start, message: "leading zero in number")
        }
        var isInteger = true
        if i < end, bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            let fracStart = i
            while i < end, bytes[i] &- 48 < 10 { i += 1 }
            guard i > fracStart else { throw JSONSyntaxError(offset: i, message: "expected digits after '.'") }
        }
        if i < end, bytes[i] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            i += 1
            if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            let expStart = i
            while i < end, bytes[i] &- 48 < 10 { i += 1 }
            guard i > expStart else { throw JSONSyntaxError(offset: i, message: "expected digits in exponent") }
        }
        position = i
        if isInteger, intDigits <= 15 {
            var v: Int64 = 0
            for k in intStart..<i { v = v * 10 + Int64(bytes[k] - 48) }
            return bytes[start] == UInt8(ascii: "-") ? -Double(v) : Double(v)
        }
        return try parseDouble(start, i)
    }

    private func parseDouble(_ start: Int, _ stop: Int) throws(JSONSyntaxError) -> Double {
        let length = stop - start
        guard length < 64 else {
            // Long numbers are rare; take the slow path through a String.
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self)
            guard let v = Double(text) else { throw JSONSyntaxError(offset: start, message: "bad number") }
            return v
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            for k in 0..<length { buffer[k] = CChar(bitPattern: bytes[start + k]) }
            buffer[length] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    /// Reads `true` or `false`.
    package mutating func bool() throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        if literal("true") { return true }
        if literal("false") { return false }
        throw error("expected true or false")
    }

    /// Consumes `null` if it comes next.
    package mutating func null() -> Bool {
        skipWhitespace()
        return literal("null")
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard end - position >= n else { return false }
        let p = word.utf8Start
        for k in 0..<n where bytes[position + k] != p[k] { return false }
        position += n
        return true
    }

    /// Skips any value, checking its syntax; nesting is bounded so hostile input cannot exhaust the stack.
    package mutating func skipValue(depth: Int = 0) throws(JSONSyntaxError) {
        guard depth < 64 else { throw error("nesting deeper than 64 levels") }
        switch try peekKind() {
        case .object:
            try beginObject()
            var first = true
            while try nextKey(first: &first) != nil { try skipValue(depth: depth + 1) }
        case .array:
            position += 1
            if consume(UInt8(ascii: "]")) { return }
            repeat { try skipValue(depth: depth + 1) } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"), "',' or ']'")
        case .string: _ = try string()
        case .number: _ = try number()
        case .bool: _ = try bool()
        case .null: _ = null()
        }
    }

    static func describe(_ b: UInt8) -> String {
        b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "\\u{\(String(b, radix: 16))}"
    }
}

extension UnsafeRawBufferPointer {
    /// Whether these bytes spell `text` (an ASCII key of our schema).
    @inline(__always) func equals(_ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard count == n else { return false }
        return memcmp(baseAddress!, text.utf8Start, n) == 0
    }
}
