import Foundation
import VigilCore

/// Turns input rows into ``Prediction`` and ``Feedback`` events, naming the field of every problem.
///
/// CSV predictions: `id`, `timestamp` (or `ts`), `model`, `version`, `score` (binary) or
/// `score_CLASS` columns (multiclass), `prediction`; columns named with `--segment` become segment
/// tags and every other column a feature. NDJSON predictions: `{id, ts, model, version, segment: {},
/// features: {}, score: p | {class: p}, prediction}`. Feedback: `id`, `timestamp` (or `ts`), `label`.
struct EventDecoder {
    var file: String
    /// Columns (CSV) taken as segment tags instead of features.
    var segmentColumns: Set<String> = []
    /// Model name for rows without a `model` column.
    var defaultModel: String?
    /// Whether to read features; a caller that nothing reads them for skips them, as pandas' `usecols` does.
    var keepFeatures = true

    static let timeKeys = ["timestamp", "ts", "time"]
    static let predictionKeys: Set<String> = [
        "id", "timestamp", "ts", "time", "model", "version", "segment", "segments", "features", "score", "prediction",
        "shadow",
    ]
    static let feedbackKeys: Set<String> = ["id", "timestamp", "ts", "time", "label"]

    private func error(_ line: Int, _ field: String, _ message: String) -> RowError {
        RowError(file: file, line: line, field: field, message: message)
    }

    // MARK: - Predictions

    func prediction(_ row: InputRow, line: Int) throws(RowError) -> Prediction {
        switch row {
        case .csv(let fields): return try csvPrediction(fields, line)
        case .json(let object): return try jsonPrediction(object, line)
        }
    }

    private func csvPrediction(_ f: CSVRow, _ line: Int) throws(RowError) -> Prediction {
        let id = try required(f[f.header.id], "id", line)
        let time = try timestamp(f, line)
        guard let model = nonEmpty(f[f.header.model]) ?? defaultModel else {
            throw error(line, "model", "missing model (add a model column or pass --model-name)")
        }
        var p = Prediction(id: id, time: time, model: model, version: f[f.header.version] ?? "")
        var classScores: [ClassScore] = []
        // Class scores come in column order, which is the class order.
        let (roles, featureCount) = f.header.roles(segments: segmentColumns, features: keepFeatures)
        if featureCount > 0 { p.features.reserveCapacity(featureCount) }
        for (role, text) in zip(roles, f.fields) {
            switch role {
            case .skipped: continue
            case .shadow:
                switch text.lowercased() {
                case "", "false", "0": p.shadow = false
                case "true", "1": p.shadow = true
                default: throw error(line, "shadow", "expected true or false, got '\(text.prefix(64))'")
                }
            case .score:
                guard !text.isEmpty else { continue }
                p.score = .probability(try number(text, "score", line))
            case .classScore(let name):
                guard !text.isEmpty else { continue }
                classScores.append(ClassScore(name, try number(text, "score_" + name, line)))
            case .segment(let column):
                if !text.isEmpty { p.segments[column] = text }
            case .feature(let column):
                p.features[column] = try feature(text, column, line)
            }
        }
        if !classScores.isEmpty { p.score = .classes(classScores) }
        if let text = nonEmpty(f[f.header.prediction]) { p.prediction = outcome(text) }
        return p
    }

    private func jsonPrediction(_ o: [String: JSONValue], _ line: Int) throws(RowError) -> Prediction {
        if let unknown = o.keys.sorted().first(where: { !Self.predictionKeys.contains($0) }) {
            throw error(
                line, unknown, "unknown field; expected \(Self.predictionKeys.sorted().joined(separator: ", "))")
        }
        let id = try jsonString(o["id"], "id", line)
        let time = try jsonTime(o, line)
        let model: String
        if o["model"] == nil, let defaultModel {
            model = defaultModel
        } else {
            model = try jsonString(o["model"], "model", line)
        }
        var p = Prediction(id: id, time: time, model: model)
        switch o["version"] {
        case nil, .null?: break
        case .string(let v)?: p.version = v
        case let v?: throw error(line, "version", "expected a string, found \(v.typeName)")
        }
        switch o["shadow"] {
        case nil, .null?: break
        case .bool(let b)?: p.shadow = b
        case let v?: throw error(line, "shadow", "expected true or false, found \(v.typeName)")
        }
        for key in ["segment", "segments"] {
            guard let value = o[key] else { continue }
            guard case .object(let tags) = value else { throw error(line, key, "expected an object of tag → string") }
            for (k, v) in tags {
                switch v {
                case .string(let s): p.segments[k] = s
                case .number(let n): p.segments[k] = Outcome.number(n).description
                case .bool(let b): p.segments[k] = String(b)
                default: throw error(line, "\(key).\(k)", "expected a string, found \(v.typeName)")
                }
            }
        }
        if keepFeatures, let value = o["features"] {
            guard case .object(let features) = value else { throw error(line, "features", "expected an object") }
            for (k, v) in features {
                switch v {
                case .null: p.features[k] = .null
                case .number(let n): p.features[k] = .number(n)
                case .string(let s): p.features[k] = .string(s)
                case .bool(let b): p.features[k] = .number(b ? 1 : 0)
                default: throw error(line, "features.\(k)", "expected a number, string or null, found \(v.typeName)")
                }
            }
        }
        switch o["score"] {
        case nil, .null?: break
        case .number(let s)?: p.score = .probability(s)
        case .object(let scores)?:
            var list: [ClassScore] = []
            for (k, v) in scores.sorted(by: { $0.key < $1.key }) {
                guard case .number(let s) = v else {
                    throw error(line, "score.\(k)", "expected a number, found \(v.typeName)")
                }
                list.append(ClassScore(k, s))
            }
            p.score = .classes(list)
        case let v?:
            throw error(
                line, "score", "expected a probability or an object of class → probability, found \(v.typeName)")
        }
        p.prediction = try jsonOutcome(o["prediction"], "prediction", line)
        return p
    }

    // MARK: - Feedback

    func feedback(_ row: InputRow, line: Int) throws(RowError) -> Feedback {
        switch row {
        case .csv(let f):
            let id = try required(f[f.header.id], "id", line)
            let time = try timestamp(f, line)
            let text = try required(f[f.header.label], "label", line)
            return Feedback(id: id, time: time, label: outcome(text))
        case .json(let o):
            if let unknown = o.keys.sorted().first(where: { !Self.feedbackKeys.contains($0) }) {
                throw error(
                    line, unknown, "unknown field; expected \(Self.feedbackKeys.sorted().joined(separator: ", "))")
            }
            let id = try jsonString(o["id"], "id", line)
            let time = try jsonTime(o, line)
            guard let label = try jsonOutcome(o["label"], "label", line) else {
                throw error(line, "label", "missing label")
            }
            return Feedback(id: id, time: time, label: label)
        }
    }

    // MARK: - Fields

    private func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }

    private func required(_ s: String?, _ field: String, _ line: Int) throws(RowError) -> String {
        guard let s = nonEmpty(s) else { throw error(line, field, "missing \(field)") }
        return s
    }

    private func timestamp(_ f: CSVRow, _ line: Int) throws(RowError) -> Timestamp {
        guard let column = f.header.time, let text = nonEmpty(f[column.column]) else {
            throw error(line, "timestamp", "missing timestamp")
        }
        do {
            return try Timestamp(iso8601: text)
        } catch {
            throw self.error(line, column.name, error.description)
        }
    }

    private func number(_ text: String, _ field: String, _ line: Int) throws(RowError) -> Double {
        // Trimming only when the text does not parse as is: it costs more than the parse.
        guard let v = Double(text) ?? Double(text.trimmingCharacters(in: .whitespaces)) else {
            throw error(line, field, "expected a number, found '\(text)'")
        }
        guard v.isFinite else { throw error(line, field, "must be finite, found '\(text)'") }
        return v
    }

    private func feature(_ text: String, _ field: String, _ line: Int) throws(RowError) -> FeatureValue {
        if text.isEmpty { return .null }
        if let v = Double(text) {
            guard v.isFinite else { throw error(line, field, "must be finite, found '\(text)'") }
            return .number(v)
        }
        return .string(text)
    }

    private func outcome(_ text: String) -> Outcome {
        if let v = Double(text), v.isFinite { return .number(v) }
        return .category(text)
    }

    private func jsonString(_ v: JSONValue?, _ field: String, _ line: Int) throws(RowError) -> String {
        switch v {
        case .string(let s)? where !s.isEmpty: return s
        case nil, .null?, .string?: throw error(line, field, "missing \(field)")
        case let other?: throw error(line, field, "expected a string, found \(other.typeName)")
        }
    }

    private func jsonTime(_ o: [String: JSONValue], _ line: Int) throws(RowError) -> Timestamp {
        guard let key = Self.timeKeys.first(where: { o[$0] != nil }), let value = o[key] else {
            throw error(line, "ts", "missing ts")
        }
        switch value {
        case .string(let s):
            do {
                return try Timestamp(iso8601: s)
            } catch {
                throw self.error(line, key, error.description)
            }
        case .number(let seconds) where seconds.isFinite && abs(seconds) < 1e12:
            return Timestamp(milliseconds: Int64((seconds * 1000).rounded()))
        default:
            throw error(line, key, "expected an ISO 8601 string or epoch seconds, found \(value.typeName)")
        }
    }

    private func jsonOutcome(_ v: JSONValue?, _ field: String, _ line: Int) throws(RowError) -> Outcome? {
        switch v {
        case nil, .null?: return nil
        case .number(let n)?:
            guard n.isFinite else { throw error(line, field, "must be finite") }
            return .number(n)
        case .string(let s)?: return .category(s)
        case .bool(let b)?: return .number(b ? 1 : 0)
        case let other?: throw error(line, field, "expected a number, string or boolean, found \(other.typeName)")
        }
    }
}
