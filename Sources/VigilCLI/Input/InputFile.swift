import Foundation
import VigilCore

/// Reads a CSV, NDJSON or JSON-array file row by row, detecting the format from its first byte. Rows are
/// handed to the caller as they are read, not kept.
///
/// CSV follows RFC 4180 (a header row, optional double quotes, `\n` or `\r\n`); an empty field is a
/// missing value. NDJSON has one JSON object per line; blank lines are skipped.
struct InputFile {
    enum Format: String {
        case csv, ndjson
    }

    var path: String
    var format: Format
    /// Rows read (handed to the caller).
    var rowCount = 0
    /// Lines that could not be parsed at all.
    var errors: [RowError] = []

    /// Reads the file, calling `row` with each row, its 1-based line number and the part it was read in.
    ///
    /// A CSV file is split into up to `parts` runs of whole lines, read side by side (part `k` on a thread of
    /// its own, rows in file order within it): decoding is most of reading. Files holding a double quote are
    /// read in one part, since a quoted field may hold a newline; so is NDJSON. `progress` follows part 0.
    init(
        path: String, parts: Int = 1, progress: ProgressReporter? = nil,
        _ row: @Sendable (_ part: Int, _ line: Int, _ row: InputRow) -> Void
    ) throws {
        self.path = path
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationFailure("cannot read '\(path)': \(error.localizedDescription)")
        }
        let bytes = [UInt8](data)
        let first = bytes.first {
            $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") && $0 != 0xEF && $0 != 0xBB
                && $0 != 0xBF
        }
        format = first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .ndjson : .csv
        let name = (path as NSString).lastPathComponent
        switch format {
        case .csv: try readCSV(bytes, name: name, parts: parts, progress: progress, row)
        case .ndjson:
            readJSON(bytes, name: name, isArray: first == UInt8(ascii: "["), progress: progress) { row(0, $0, $1) }
        }
    }

    private mutating func readCSV(
        _ bytes: [UInt8], name: String, parts count: Int, progress: ProgressReporter?,
        _ row: @Sendable (Int, Int, InputRow) -> Void
    ) throws {
        let whole = CSVReader.Part(range: 0..<bytes.count, firstLine: 1)
        let parts = count > 1 ? CSVReader.parts(bytes, count: count) ?? [whole] : [whole]
        // The header is the first record; every part gets its own copy (a header caches column roles).
        guard let names = CSVReader.firstRecord(bytes)?.map({ $0.trimmingCharacters(in: .whitespaces) }) else {
            return
        }
        if let problem = CSVReader.headerProblem(names) { throw ValidationFailure("\(name), line 1: \(problem)") }
        let results = parts.map { _ in PartResult() }
        DispatchQueue.concurrentPerform(iterations: parts.count) { k in
            let header = CSVHeader(names)
            let result = results[k]
            var skipHeader = k == 0
            CSVReader.forEachRecord(bytes, in: parts[k]) { line, fields, end in
                if skipHeader {
                    skipHeader = false
                    return
                }
                guard fields.count == names.count else {
                    result.errors.append(
                        RowError(
                            file: name, line: line, field: "",
                            message: "expected \(names.count) fields as in the header, found \(fields.count)"))
                    return
                }
                row(k, line, .csv(CSVRow(header: header, fields: fields)))
                result.rows += 1
                if k == 0 {
                    progress?.tick(rows: result.rows, fraction: Double(end) / Double(parts[0].range.upperBound))
                }
            }
        }
        rowCount = results.reduce(0) { $0 + $1.rows }
        errors += results.flatMap { $0.errors }
    }

    /// What one part's thread counted; only that thread writes it.
    private final class PartResult: @unchecked Sendable {
        var rows = 0
        var errors: [RowError] = []
    }

    private mutating func readJSON(
        _ bytes: [UInt8], name: String, isArray: Bool, progress: ProgressReporter?, _ row: (Int, InputRow) -> Void
    ) {
        let decoder = JSONDecoder()
        if isArray {
            do {
                let values = try decoder.decode([JSONValue].self, from: Data(bytes))
                for (k, v) in values.enumerated() { append(v, line: k + 1, name: name, row) }
            } catch {
                errors.append(RowError(file: name, line: 1, field: "", message: "malformed JSON array: \(error)"))
            }
            return
        }
        var line = 0
        var start = 0
        while start < bytes.count {
            line += 1
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            let slice = bytes[start..<end]
            start = end + 1
            guard
                slice.contains(where: {
                    $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t")
                })
            else {
                continue
            }
            do {
                append(try decoder.decode(JSONValue.self, from: Data(slice)), line: line, name: name, row)
            } catch {
                errors.append(
                    RowError(file: name, line: line, field: "", message: "malformed JSON: \(Self.describe(error))"))
            }
            progress?.tick(rows: rowCount, fraction: Double(start) / Double(bytes.count))
        }
    }

    private mutating func append(_ value: JSONValue, line: Int, name: String, _ row: (Int, InputRow) -> Void) {
        guard case .object(let object) = value else {
            errors.append(
                RowError(file: name, line: line, field: "", message: "expected a JSON object, found \(value.typeName)"))
            return
        }
        row(line, .json(object))
        rowCount += 1
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return context.underlyingError.map { "\($0)" } ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// A command-line problem reported to the user without a stack trace.
struct ValidationFailure: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}
