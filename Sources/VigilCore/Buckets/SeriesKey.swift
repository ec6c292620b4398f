/// Identifies a series: a model's version, optionally restricted to one segment tag value.
struct SeriesKey: Hashable, Sendable, Codable {
    var model: Int
    var version: String
    /// `nil` for the series of all the version's predictions.
    var segment: Segment?
}

/// A segment tag and value, e.g. `borough:Queens`.
public struct Segment: Hashable, Sendable, Codable, CustomStringConvertible {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Parses `key:value` (or `key=value`).
    public init?(_ text: String) {
        guard let sep = text.firstIndex(where: { $0 == ":" || $0 == "=" }) else { return nil }
        key = String(text[..<sep])
        value = String(text[text.index(after: sep)...])
        guard !key.isEmpty else { return nil }
    }

    public var description: String { "\(key):\(value)" }
}

/// The series one prediction contributes to: its version's overall series and one per segment tag.
struct SliceSet: Sendable, Codable {
    var model: Int
    var version: String
    var segments: [String: String]
    var series: [Int]
}
