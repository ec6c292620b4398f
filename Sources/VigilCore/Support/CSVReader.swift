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
        bytes.withUnsafeBufferPointer { b in
            var line = 1
            var i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            var fields: [String] = []
            var scratch: [UInt8] = []
            while i < b.count {
                let startLine = line
                fields.removeAll(keepingCapacity: true)
                var endOfRecord = false
                while !endOfRecord {
                    let (field, next, ended) = readField(b, from: i, line: &line, scratch: &scratch)
                    fields.append(field)
                    i = next
                    endOfRecord = ended
                }
                if fields.count == 1 && fields[0].isEmpty { continue }
                body(startLine, fields, i)
            }
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
