extension Duration {
    /// Whole milliseconds in this duration.
    public var milliseconds: Int64 {
        let (s, atto) = components
        return s * 1000 + atto / 1_000_000_000_000_000
    }

    /// Parses a window length such as `90s`, `15m`, `1h`, `7d` or `2w` (a number and one unit).
    ///
    /// ```swift
    /// try Duration(window: "30d") == .seconds(30 * 86_400)
    /// ```
    public init(window text: String) throws(DurationError) {
        guard let unit = text.last, let amount = Int64(text.dropLast()), amount > 0 else {
            throw DurationError(text: text)
        }
        let unitSeconds: Int64
        switch unit {
        case "s": unitSeconds = 1
        case "m": unitSeconds = 60
        case "h": unitSeconds = 3600
        case "d": unitSeconds = 86_400
        case "w": unitSeconds = 7 * 86_400
        default: throw DurationError(text: text)
        }
        // A bound well past any useful window, checked before multiplying (a huge amount would overflow).
        guard amount <= Self.maxWindowSeconds / unitSeconds else { throw DurationError(text: text, tooLong: true) }
        self = .seconds(amount * unitSeconds)
    }

    /// The longest duration a window, step or horizon may name: 100 years.
    public static let maxWindowSeconds: Int64 = 100 * 366 * 86_400
}

/// A string that is not a duration like `1h` or `30d`.
public struct DurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var text: String
    /// The duration is well formed but longer than ``Swift/Duration/maxWindowSeconds``.
    public var tooLong = false

    public init(text: String, tooLong: Bool = false) {
        self.text = text
        self.tooLong = tooLong
    }

    public var description: String {
        tooLong
            ? "duration '\(text.prefix(32))' is too long: at most 100 years (36600d)"
            : "invalid duration '\(text.prefix(32))': expected a positive whole number and a unit s, m, h, d or w (e.g. 30d)"
    }
}
