import Foundation
import HTTPTypes
import Hummingbird
import VigilCore

/// The parameters of `GET /v1/models/{model}/metrics`, validated.
///
/// `window` counts back from `to` (default: now); `from`–`to` is an explicit range; neither is cumulative.
/// `step` turns the range into a calendar series. `asOf` answers with only the feedback that had arrived by then.
struct MetricQuery: Sendable {
    var window: Window = .cumulative
    var step: Duration?
    var version: String?
    var segment: Segment?
    var names: [String]?
    var asOf: Timestamp?
    /// `format=columnar`: a series as one array per metric and field (``MetricColumns``), with these fields.
    var columns: [MetricColumns.Field]?

    static let known: Set<String> = [
        "window", "step", "from", "to", "version", "segment", "names", "asOf", "format", "fields",
    ]

    init(_ query: [String: String], now: Timestamp) throws(APIError) {
        try QueryParameters.requireKnown(query, Self.known)
        let from = try Self.time(query["from"], "from")
        let to = try Self.time(query["to"], "to")
        let length = try query["window"].map { (text) throws(APIError) in try Self.duration(text, "window") }
        switch (from, to, length) {
        case (nil, nil, nil): window = .cumulative
        case (let from?, let to?, nil): window = .range(from: from, to: to)
        case (let from?, nil, nil): window = .range(from: from, to: now)
        case (nil, let to, let length?): window = .last(length, now: to ?? now)
        case (nil, _?, nil): throw .badRequest("invalid_window", "'to' needs 'from' or 'window'")
        case (_?, _, _?): throw .badRequest("invalid_window", "give 'window' or 'from', not both")
        }
        if case .range(let a, let b) = window, a > b {
            throw .badRequest("invalid_window", "'from' (\(a)) is after 'to' (\(b))")
        }
        if let text = query["step"] {
            guard window != .cumulative else {
                throw .badRequest("invalid_window", "'step' needs a range: give 'window' or 'from'/'to'")
            }
            step = try Self.duration(text, "step")
        }
        version = query["version"]
        segment = try query["segment"].map(Self.segment)
        if let text = query["names"] {
            names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        asOf = try Self.time(query["asOf"], "asOf")
        switch query["format"] {
        case nil, "full": if query["fields"] != nil { throw .badRequest("invalid_parameter", "fields: needs format=columnar") }
        case "columnar":
            guard step != nil else { throw .badRequest("invalid_parameter", "format=columnar is for a series: give 'step'") }
            columns = try MetricColumns.fields(query["fields"])
        case let other?:
            throw .badRequest("invalid_parameter", "format: '\(other.prefix(32))' is not one of full, columnar")
        }
    }

    /// `KEY:VALUE`, split at the first colon (the value may hold more).
    static func segment(_ text: String) throws(APIError) -> Segment {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw .badRequest("invalid_segment", "segment must be KEY:VALUE, got '\(text)'")
        }
        return Segment(key: String(text[..<colon]), value: String(text[text.index(after: colon)...]))
    }

    static func time(_ text: String?, _ name: String) throws(APIError) -> Timestamp? {
        guard let text else { return nil }
        do {
            return try Timestamp(iso8601: text)
        } catch {
            throw .badRequest("invalid_time", "\(name): '\(text)' is not an ISO 8601 time such as 2024-05-01T00:00:00Z")
        }
    }

    static func duration(_ text: String, _ name: String) throws(APIError) -> Duration {
        do {
            return try Duration(window: text)
        } catch {
            throw .badRequest("invalid_window", "\(name): \(error.description)")
        }
    }
}

extension QueryError {
    /// The HTTP form of a query error: unknown things are 404, a task conflict 409, bad requests 400.
    var api: APIError {
        switch code {
        case .unknownModel, .unknownVersion: return APIError(.notFound, code.rawValue, message)
        case .taskConflict: return APIError(.conflict, code.rawValue, message)
        case .unknownMetric, .invalidWindow, .invalidDefinition, .invalidComparison:
            return APIError(.badRequest, code.rawValue, message)
        }
    }
}
