/// An RFC 4180 CSV tokenizer: fields separated by commas, optionally double-quoted (`""` escapes a
/// quote, and quoted fields may hold commas and newlines), records ended by `\n` or `\r\n`.
public enum CSVReader {
    /// Calls `body` with each record's fields, the 1-based line it starts on and the byte offset after it;
    /// a UTF-8 BOM is skipped, blank lines too.
    public static func forEachRecord(_ bytes: [UInt8], _ body: (_ line: Int, _ fields: [String], _ end: Int) -> Void) {
        var line = 1
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var field: [UInt8] = []
        while i < bytes.count {
            let startLine = line
            var fields: [String] = []
            field.removeAll(keepingCapacity: true)
            var quoted = false
            var endOfRecord = false
            while i < bytes.count && !endOfRecord {
                let b = bytes[i]
                if quoted {
                    if b == UInt8(ascii: "\"") {
                        if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
                            field.append(b)
                            i += 1
                        } else {
                            quoted = false
                        }
                    } else {
                        if b == UInt8(ascii: "\n") { line += 1 }
                        field.append(b)
                    }
                } else if b == UInt8(ascii: "\"") && field.isEmpty {
                    quoted = true
                } else if b == UInt8(ascii: ",") {
                    fields.append(String(decoding: field, as: UTF8.self))
                    field.removeAll(keepingCapacity: true)
                } else if b == UInt8(ascii: "\n") {
                    endOfRecord = true
                    line += 1
                } else if b != UInt8(ascii: "\r") {
                    field.append(b)
                }
                i += 1
            }
            fields.append(String(decoding: field, as: UTF8.self))
            if fields.count == 1 && fields[0].isEmpty { continue }
            body(startLine, fields, i)
        }
    }
}
