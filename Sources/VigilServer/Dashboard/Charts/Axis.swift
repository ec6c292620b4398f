import Foundation
import VigilCore

/// Tick positions and labels for a chart axis.
struct Axis {
    var ticks: [(value: Double, label: String)]

    /// About `count` round values covering `domain` (1, 2 or 5 times a power of ten apart).
    static func numeric(_ domain: ClosedRange<Double>, count: Int = 5, format: (Double) -> String) -> Axis {
        let span = domain.upperBound - domain.lowerBound
        guard span > 0, span.isFinite else { return Axis(ticks: [(domain.lowerBound, format(domain.lowerBound))]) }
        let raw: Double = span / Double(max(count - 1, 1))
        let power: Double = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let multiples: [Double] = [1, 2, 5, 10]
        let step = multiples.map { $0 * power }.first { $0 >= raw } ?? 10 * power
        var ticks: [(value: Double, label: String)] = []
        var v = Foundation.ceil(domain.lowerBound / step - 1e-9) * step
        while v <= domain.upperBound + step * 1e-9 {
            ticks.append((v, format(abs(v) < step * 1e-9 ? 0 : v)))
            v += step
        }
        return Axis(ticks: ticks)
    }

    /// Calendar ticks (UTC) over a time domain in milliseconds: the smallest whole step with at most `count` ticks.
    static func time(_ domain: ClosedRange<Double>, count: Int = 7) -> Axis {
        let hour = 3_600_000.0
        let steps: [Double] = [
            60_000.0, 5 * 60_000, 15 * 60_000, 30 * 60_000, hour, 3 * hour, 6 * hour, 12 * hour, 24 * hour,
            48 * hour, 7 * 24 * hour, 14 * 24 * hour, 28 * 24 * hour, 91 * 24 * hour, 365 * 24 * hour,
        ]
        let span = domain.upperBound - domain.lowerBound
        let step = steps.first { span / $0 <= Double(count) } ?? steps.last!
        var ticks: [(value: Double, label: String)] = []
        var v = Foundation.ceil(domain.lowerBound / step) * step
        while v <= domain.upperBound {
            ticks.append((v, TimeLabel.tick(Timestamp(milliseconds: Int64(v)), withTime: step < 24 * hour)))
            v += step
        }
        return Axis(ticks: ticks)
    }
}

/// Short UTC time labels from a timestamp's ISO 8601 form.
enum TimeLabel {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// "Feb 3" or, with the time, "Feb 3 06:00".
    static func tick(_ t: Timestamp, withTime: Bool) -> String {
        let iso = Array(t.iso8601)  // 2020-02-03T06:00:00Z
        guard iso.count >= 16, let month = Int(String(iso[5...6])), let day = Int(String(iso[8...9])),
            (1...12).contains(month)
        else { return t.iso8601 }
        let date = "\(months[month - 1]) \(day)"
        return withTime ? "\(date) \(String(iso[11...15]))" : date
    }

    /// "2020-02-03 06:00 UTC".
    static func full(_ t: Timestamp) -> String {
        let iso = t.iso8601
        guard iso.count >= 16 else { return iso }
        return "\(iso.prefix(10)) \(iso.dropFirst(11).prefix(5)) UTC"
    }
}
