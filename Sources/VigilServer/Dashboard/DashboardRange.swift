import Foundation
import HTTPTypes
import VigilCore

/// The time range a dashboard page shows: `range` (a length such as `7d`) ending at `to`, and the `step` of
/// its series.
///
/// Without `to`, a page ends now when the model has events within the range, and otherwise at its latest
/// event (rounded up to the hour), so a replay of historical data shows its data, not an empty chart.
struct DashboardRange: Sendable, Equatable {
    var from: Timestamp
    var to: Timestamp
    var length: Duration
    var step: Duration
    /// True when `to` was given rather than chosen.
    var isPinned: Bool

    static let lengths = ["1h", "6h", "1d", "7d", "30d", "90d"]
    static let defaultLength = "30d"
    /// Series steps a page may pick from, shortest first.
    static let steps = ["5m", "15m", "1h", "3h", "6h", "12h", "1d", "7d"]

    /// Parses `range`, `to` and `step`; `latest` is the model's latest event time (nil when it has none).
    ///
    /// - Parameter points: the most points an automatic step may draw.
    init(_ query: [String: String], now: Timestamp, latest: Timestamp?, points: Int64 = 60) throws(APIError) {
        length = try MetricQuery.duration(query["range"] ?? Self.defaultLength, "range")
        if let text = query["to"], !text.isEmpty {
            to = try MetricQuery.time(text, "to")!
            isPinned = true
        } else {
            to = Self.defaultEnd(now: now, latest: latest, length: length)
            isPinned = false
        }
        from = to - length
        if let text = query["step"], !text.isEmpty {
            step = try MetricQuery.duration(text, "step")
            guard length.milliseconds / step.milliseconds <= 2000 else {
                throw .badRequest(
                    "invalid_step", "step \(text) makes \(length.milliseconds / step.milliseconds) points; at most 2000"
                )
            }
        } else {
            step = Self.automaticStep(length, points: points)
        }
    }

    /// Now, unless the latest event is older than the range: then the hour after it.
    static func defaultEnd(now: Timestamp, latest: Timestamp?, length: Duration) -> Timestamp {
        guard let latest, latest < now - length else { return now }
        let hour: Int64 = 3_600_000
        return Timestamp(milliseconds: (latest.milliseconds.floorDivided(by: hour).0 + 1) * hour)
    }

    /// The shortest step that draws at most `points` points.
    static func automaticStep(_ length: Duration, points: Int64) -> Duration {
        for text in steps {
            let step = try! Duration(window: text)
            if length.milliseconds / step.milliseconds <= points { return step }
        }
        return .seconds(7 * 86_400)
    }

    var window: Window { .range(from: from, to: to) }

    /// "2020-02-23 00:00 UTC → 2020-03-01 00:00 UTC".
    var span: String { "\(TimeLabel.full(from)) → \(TimeLabel.full(to))" }

    /// The step boundaries `[t, t + step)` covering the range (``Window/steps(from:to:step:)``, which series use).
    var slices: [(from: Timestamp, to: Timestamp)] { Window.steps(from: from, to: to, step: step) }

    /// The query string that reproduces this range, for links between pages.
    func query() -> String {
        var parts = ["range=\(length.windowText)"]
        if isPinned { parts.append("to=\(to.iso8601)") }
        return parts.joined(separator: "&")
    }
}

extension Duration {
    /// The shortest `Duration(window:)` text for this duration: `30d`, `6h`, `90s`.
    var windowText: String {
        let s = milliseconds / 1000
        if s % 86_400 == 0 { return "\(s / 86_400)d" }
        if s % 3600 == 0 { return "\(s / 3600)h" }
        if s % 60 == 0 { return "\(s / 60)m" }
        return "\(s)s"
    }
}
