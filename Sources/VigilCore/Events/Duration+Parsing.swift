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
        let seconds: Int64
        switch unit {
        case "s": seconds = amount
        case "m": seconds = amount * 60
        case "h": seconds = amount * 3600
        case "d": seconds = amount * 86_400
        case "w": seconds = amount * 7 * 86_400
        default: throw DurationError(text: text)
        }
        self = .seconds(seconds)
    }
}

/// A string that is not a duration like `1h` or `30d`.
public struct DurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var text: String
    public var description: String {
        "invalid duration '\(text)': expected a positive whole number and a unit s, m, h, d or w (e.g. 30d)"
    }
}
