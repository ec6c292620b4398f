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

    /// Reads the file, calling `row` with each row and its 1-based line number.
    init(path: String, progress: ProgressReporter? = nil, _ row: (_ line: Int, _ row: InputRow) -> Void) throws {
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
        case .csv: readCSV(bytes, name: name, progress: progress, row)
        case .ndjson: readJSON(bytes, name: name, isArray: first == UInt8(ascii: "["), progress: progress, row)
        }
    }

    private mutating func readCSV(
        _ bytes: [UInt8], name: String, progress: ProgressReporter?, _ row: (Int, InputRow) -> Void
    ) {
        var header: CSVHeader?
        var count = 0
        var errors = self.errors
        CSVReader.forEachRecord(bytes) { line, fields, end in
            guard let columns = header else {
                header = CSVHeader(fields.map { $0.trimmingCharacters(in: .whitespaces) })
                return
            }
            guard fields.count == columns.names.count else {
                errors.append(
                    RowError(
                        file: name, line: line, field: "",
                        message: "expected \(columns.names.count) fields as in the header, found \(fields.count)"))
                return
            }
            row(line, .csv(CSVRow(header: columns, fields: fields)))
            count += 1
            progress?.tick(rows: count, fraction: Double(end) / Double(bytes.count))
        }
        rowCount = count
        self.errors = errors
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
