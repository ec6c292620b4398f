import Foundation

/// Rows uploaded as a reference (CSV, NDJSON or a JSON array), profiled into a ``DataProfile``.
///
/// CSV: a header row; an empty field is missing, a field that parses as a finite number is a number,
/// anything else a string. JSON: each row is an object of feature values, flat or under `features`.
/// `score` and `prediction` are the model's outputs; `id`, `timestamp`/`ts`/`time`, `model`, `version`,
/// `label` and `segment(s)` are not features and are skipped.
public struct ReferenceTable: Sendable {
    public enum Format: String, Sendable, Codable {
        case csv, ndjson
    }

    public private(set) var profile = DataProfile()
    public let format: Format

    static let skipped: Set<String> = [
        "id", "timestamp", "ts", "time", "model", "version", "label", "segment", "segments",
    ]
    static let outputs: Set<String> = ["score", "prediction"]

    /// Parses `bytes`; the format is detected from the first non-blank byte (`{` or `[` is JSON).
    ///
    /// - Parameter task: the model's task, so that a classifier's `prediction` is a category (as served
    ///   predictions are profiled) and a regression's a number.
    /// - Throws: ``ReferenceError`` naming the line and the problem.
    public init(bytes: [UInt8], task: ModelTask? = nil, limits: ProfileLimits = .reference) throws(ReferenceError) {
        let first = bytes.first {
            ![UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"), 0xEF, 0xBB, 0xBF].contains(
                $0)
        }
        guard let first else {
            throw ReferenceError(line: 0, "the reference is empty: send CSV with a header row, NDJSON or a JSON array")
        }
        format = first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .ndjson : .csv
        switch format {
        case .csv: try readCSV(bytes, task: task, limits: limits)
        case .ndjson: try readJSON(bytes, isArray: first == UInt8(ascii: "["), task: task, limits: limits)
        }
        guard profile.rows > 0 else { throw ReferenceError(line: 0, "the reference holds no rows") }
    }

    private mutating func readCSV(_ bytes: [UInt8], task: ModelTask?, limits: ProfileLimits) throws(ReferenceError) {
        var columns: CSVColumns?
        var failure: ReferenceError?
        var rows: Int64 = 0
        CSVReader.forEachRecord(bytes) { line, fields, _ in
            guard failure == nil else { return }
            guard columns != nil else {
                let names = fields.map { $0.trimmingCharacters(in: .whitespaces) }
                if let problem = CSVReader.headerProblem(names) {
                    failure = ReferenceError(line: line, problem)
                    return
                }
                columns = CSVColumns(header: names)
                return
            }
            guard fields.count == columns!.roles.count else {
                failure = ReferenceError(
                    line: line, "expected \(columns!.roles.count) fields as in the header, found \(fields.count)")
                return
            }
            rows += 1
            columns!.add(fields, task: task, limits: limits)
        }
        if let failure { throw failure }
        profile.rows = rows
        if let columns {
            for (name, c) in zip(columns.featureNames, columns.features) { profile.columns[name] = c }
            for (name, c) in zip(columns.outputNames, columns.outputs) { profile.outputs[name] = c }
        }
    }

    /// A CSV reference's columns, each profiled in place: the header is read once, so a row costs no
    /// dictionary and no lookup by name.
    private struct CSVColumns {
        enum Role {
            case skipped
            case feature(Int)
            case output(Int)
        }

        var roles: [Role] = []
        var featureNames: [String] = []
        var outputNames: [String] = []
        var features: [ColumnProfile] = []
        var outputs: [ColumnProfile] = []

        init(header: [String]) {
            for name in header {
                if ReferenceTable.skipped.contains(name) {
                    roles.append(.skipped)
                } else if ReferenceTable.outputs.contains(name) {
                    roles.append(.output(outputNames.count))
                    outputNames.append(name)
                } else {
                    roles.append(.feature(featureNames.count))
                    featureNames.append(name)
                }
            }
            features = Array(repeating: ColumnProfile(), count: featureNames.count)
            outputs = Array(repeating: ColumnProfile(), count: outputNames.count)
        }

        mutating func add(_ fields: [String], task: ModelTask?, limits: ProfileLimits) {
            for (role, text) in zip(roles, fields) {
                switch role {
                case .skipped: continue
                case .feature(let i): features[i].add(Self.value(text), limits: limits)
                case .output(let i):
                    outputs[i].add(ReferenceTable.output(outputNames[i], Self.value(text), task: task), limits: limits)
                }
            }
        }

        /// Empty is missing; a finite number is a number; anything else a string.
        @inline(__always)
        static func value(_ text: String) -> FeatureValue {
            text.isEmpty ? .null : Double(text).map { $0.isFinite ? .number($0) : .string(text) } ?? .string(text)
        }
    }

    private mutating func readJSON(_ bytes: [UInt8], isArray: Bool, task: ModelTask?, limits: ProfileLimits)
        throws(ReferenceError)
    {
        var objects: [(Int, Any)] = []
        if isArray {
            guard let array = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [Any] else {
                throw ReferenceError(line: 1, "malformed JSON array")
            }
            objects = array.enumerated().map { ($0.offset + 1, $0.element) }
        } else {
            var line = 0
            for slice in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                line += 1
                guard
                    slice.contains(where: {
                        $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t")
                    })
                else { continue }
                guard let object = try? JSONSerialization.jsonObject(with: Data(slice)) else {
                    throw ReferenceError(line: line, "malformed JSON")
                }
                objects.append((line, object))
            }
        }
        for (line, object) in objects {
            guard let row = object as? [String: Any] else { throw ReferenceError(line: line, "expected a JSON object") }
            var features: [String: FeatureValue] = [:]
            var outputs: [String: FeatureValue] = [:]
            var flat = row
            if let nested = row["features"] {
                guard let f = nested as? [String: Any] else {
                    throw ReferenceError(line: line, "features: expected an object")
                }
                flat.removeValue(forKey: "features")
                for (k, v) in f { features[k] = try Self.value(v, k, line) }
            }
            for (k, v) in flat where !Self.skipped.contains(k) {
                let value = try Self.value(v, k, line)
                if Self.outputs.contains(k) {
                    outputs[k] = Self.output(k, value, task: task)
                } else {
                    features[k] = value
                }
            }
            profile.add(features: features, outputs: outputs, limits: limits)
        }
    }

    private static func value(_ v: Any, _ field: String, _ line: Int) throws(ReferenceError) -> FeatureValue {
        switch v {
        case is NSNull: return .null
        case let s as String: return .string(s)
        case let n as NSNumber:
            // Booleans arrive as a distinct NSNumber subclass; they count as 1/0, like the ingest path.
            guard n.doubleValue.isFinite else { throw ReferenceError(line: line, "\(field): numbers must be finite") }
            return .number(n.doubleValue)
        default: throw ReferenceError(line: line, "\(field): expected a number, string or null")
        }
    }

    /// A classifier's prediction is profiled as a category ("1", "cat"), a regression's as a number.
    static func output(_ name: String, _ value: FeatureValue, task: ModelTask?) -> FeatureValue {
        guard name == "prediction", task != .regression, case .number(let v) = value else { return value }
        return .string(v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v))
    }
}

/// A reference upload that cannot be read, with the line at fault (0 for the whole body).
public struct ReferenceError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String

    init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}
