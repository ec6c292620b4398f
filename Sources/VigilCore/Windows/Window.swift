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

    /// `(from, to)` in milliseconds, or `nil` for cumulative.
    var bounds: (Int64, Int64)? {
        switch self {
        case .cumulative: return nil
        case .last(let d, let now): return (now.milliseconds - d.milliseconds, now.milliseconds)
        case .range(let from, let to): return (from.milliseconds, to.milliseconds)
        }
    }
}
