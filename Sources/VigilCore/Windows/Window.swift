/// The time range of predictions (by event time) a query covers.
///
/// ```swift
/// .cumulative                                    // everything
/// .last(.seconds(86_400), now: t)                // [t − 1d, t)
/// .range(from: a, to: b)                         // [a, b)
/// ```
public enum Window: Sendable, Hashable {
    case cumulative
    /// The sliding window `[now − length, now)`.
    case last(Duration, now: Timestamp)
    /// The explicit half-open range `[from, to)`.
    case range(from: Timestamp, to: Timestamp)

    /// `[from, to)` cut into consecutive ranges of `step` (the last one shorter when `step` does not divide it),
    /// as a series walks them; empty when `from >= to`. `step` must be positive.
    public static func steps(from: Timestamp, to: Timestamp, step: Duration) -> [(from: Timestamp, to: Timestamp)] {
        var out: [(from: Timestamp, to: Timestamp)] = []
        var t = from
        while t < to {
            let end = min(t + step, to)
            out.append((t, end))
            t = end
        }
        return out
    }

    /// `(from, to)` in milliseconds, or `nil` for cumulative.
    var bounds: (Int64, Int64)? {
        switch self {
        case .cumulative: return nil
        case .last(let d, let now): return (now.milliseconds - d.milliseconds, now.milliseconds)
        case .range(let from, let to): return (from.milliseconds, to.milliseconds)
        }
    }
}
