/// One row of an input file, before it becomes an event: CSV fields by column, or a JSON object.
enum InputRow {
    case csv(CSVRow)
    case json([String: JSONValue])
}

/// A row that could not be read, with its 1-based line number and the field at fault.
struct RowError: Error, Hashable, Sendable, CustomStringConvertible {
    var file: String
    var line: Int
    var field: String
    var message: String

    var description: String {
        "\(file):\(line): \(field.isEmpty ? "" : field + ": ")\(message)"
    }
}
