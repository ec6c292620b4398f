/// An RFC 4180 CSV tokenizer: fields separated by commas, optionally double-quoted (`""` escapes a
/// quote, and quoted fields may hold commas and newlines), records ended by `\n` or `\r\n`.
public enum CSVReader {
    private static let comma = UInt8(ascii: ",")
    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let quote = UInt8(ascii: "\"")

    /// Calls `body` with each record's fields, the 1-based line it starts on and the byte offset after it;
    /// a UTF-8 BOM is skipped, blank lines too.
    public static func forEachRecord(_ bytes: [UInt8], _ body: (_ line: Int, _ fields: [String], _ end: Int) -> Void) {
        forEachRecord(bytes, in: Part(range: 0..<bytes.count, firstLine: 1), body)
    }

    /// Why a header cannot be read by name, or nil: a name given to two columns would make one of them
    /// silently win, so it is refused, naming the columns (1-based) that share it.
    public static func headerProblem(_ names: [String]) -> String? {
        var first: [String: Int] = [:]
        for (k, name) in names.enumerated() {
            if let j = first[name] {
                return "column '\(name)' appears twice in the header (columns \(j + 1) and \(k + 1)); rename one"
            }
            first[name] = k
        }
        return nil
    }

    /// A run of whole records: a byte range that starts at the beginning of a line, and that line's number.
    public struct Part: Sendable, Hashable {
        public var range: Range<Int>
        public var firstLine: Int

        public init(range: Range<Int>, firstLine: Int) {
            self.range = range
            self.firstLine = firstLine
        }
    }

    /// Splits `bytes` into at most `count` parts of whole records, of about equal size, so that they can be read
    /// side by side; `nil` if the file holds a double quote, since a quoted field may hold a newline that no
    /// byte scan can tell from a record's end.
    public static func parts(_ bytes: [UInt8], count: Int) -> [Part]? {
        guard !bytes.contains(quote) else { return nil }
        var parts: [Part] = []
        var start = 0
        var line = 1
        for k in 1...max(1, count) {
            guard start < bytes.count else { break }
            var end = k == count ? bytes.count : max(start + 1, bytes.count * k / count)
            while end < bytes.count && bytes[end - 1] != newline { end += 1 }  // the part ends after a newline
            parts.append(Part(range: start..<end, firstLine: line))
            line += bytes[start..<end].count { $0 == newline }
            start = end
        }
        return parts
    }

    /// Calls `body` with each record of `part` (see ``forEachRecord(_:_:)``); a BOM is skipped at the file's start.
    public static func forEachRecord(
        _ bytes: [UInt8], in part: Part, _ body: (_ line: Int, _ fields: [String], _ end: Int) -> Void
    ) {
        bytes.withUnsafeBufferPointer { whole in
            let b = UnsafeBufferPointer(rebasing: whole[..<part.range.upperBound])
            var cursor = Cursor(at: part, in: b)
            while let line = cursor.next(b) { body(line, cursor.fields, cursor.offset) }
        }
    }

    /// The file's first record (its header, in most files), or `nil` if it holds none.
    public static func firstRecord(_ bytes: [UInt8]) -> [String]? {
        var first: [String]?
        bytes.withUnsafeBufferPointer { b in
            var cursor = Cursor(at: Part(range: 0..<b.count, firstLine: 1), in: b)
            if cursor.next(b) != nil { first = cursor.fields }
        }
        return first
    }

    /// A position in the bytes and the record last read.
    private struct Cursor {
        var offset: Int
        var line: Int
        var fields: [String] = []
        var scratch: [UInt8] = []

        /// At the start of `part`, past the UTF-8 BOM if the part starts the file.
        init(at part: Part, in b: UnsafeBufferPointer<UInt8>) {
            offset = part.range.lowerBound
            line = part.firstLine
            if offset == 0 && b.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3 }
        }

        /// Reads the next non-blank record into ``fields``; returns the line it starts on, `nil` at the end.
        mutating func next(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
            while offset < b.count {
                let startLine = line
                fields.removeAll(keepingCapacity: true)
                var endOfRecord = false
                while !endOfRecord {
                    let (field, next, ended) = readField(b, from: offset, line: &line, scratch: &scratch)
                    fields.append(field)
                    offset = next
                    endOfRecord = ended
                }
                if fields.count == 1 && fields[0].isEmpty { continue }
                return startLine
            }
            return nil
        }
    }

    /// The field starting at `start`, the offset after its delimiter, and whether it ended its record.
    ///
    /// Most fields are unquoted and hold no `\r`: they are the bytes up to the next comma or newline, decoded
    /// in place. Others go byte by byte.
    @inline(__always)
    private static func readField(
        _ b: UnsafeBufferPointer<UInt8>, from start: Int, line: inout Int, scratch: inout [UInt8]
    ) -> (String, Int, Bool) {
        var j = start
        if j < b.count && b[j] != quote {
            while j < b.count {
                let c = b[j]
                if c == comma || c == newline || c == carriageReturn { break }
                j += 1
            }
            if j == b.count || b[j] != carriageReturn {
                let field = String(decoding: UnsafeBufferPointer(rebasing: b[start..<j]), as: UTF8.self)
                if j == b.count { return (field, j, true) }
                if b[j] == newline { line += 1 }
                return (field, j + 1, b[j] == newline)
            }
        }
        return readFieldByteByByte(b, from: start, line: &line, scratch: &scratch)
    }

    /// A field that is quoted or holds a `\r` (dropped outside quotes, as in a `\r\n` line end).
    private static func readFieldByteByByte(
        _ b: UnsafeBufferPointer<UInt8>, from start: Int, line: inout Int, scratch field: inout [UInt8]
    ) -> (String, Int, Bool) {
        field.removeAll(keepingCapacity: true)
        var quoted = false
        var i = start
        while i < b.count {
            let c = b[i]
            i += 1
            if quoted {
                if c == quote {
                    if i < b.count && b[i] == quote {
                        field.append(c)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if c == newline { line += 1 }
                    field.append(c)
                }
            } else if c == quote && field.isEmpty {
                quoted = true
            } else if c == comma {
                return (String(decoding: field, as: UTF8.self), i, false)
            } else if c == newline {
                line += 1
                return (String(decoding: field, as: UTF8.self), i, true)
            } else if c != carriageReturn {
                field.append(c)
            }
        }
        return (String(decoding: field, as: UTF8.self), i, true)
    }
}
