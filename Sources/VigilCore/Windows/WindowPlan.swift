/// The buckets that exactly cover a window: whole days inside it, whole hours at its edges, minutes at the very edges.
///
/// Edges are rounded down to the minute; an edge older than the minute buckets' retention is
/// rounded down to the hour, and one older than the hour buckets' retention to the day, so the
/// plan only names buckets that exist. A plan names at most ~2·(59 + 23) + days buckets, whatever
/// the number of predictions.
struct WindowPlan: Hashable, Sendable {
    var from: Int64
    var to: Int64
    var buckets: [(Resolution, Int64)]

    static func == (a: WindowPlan, b: WindowPlan) -> Bool {
        a.from == b.from && a.to == b.to && a.buckets.map { "\($0.0)\($0.1)" } == b.buckets.map { "\($0.0)\($0.1)" }
    }

    func hash(into h: inout Hasher) {
        h.combine(from)
        h.combine(to)
    }

    /// - Parameter data: the event times buckets can hold, if known: whole days before or after it are skipped
    ///   (they are empty), so a window of centuries costs what the data's span costs.
    init(from: Int64, to: Int64, minuteCutoff: Int64, hourCutoff: Int64, data: ClosedRange<Int64>? = nil) {
        let a = Self.snap(from, minuteCutoff: minuteCutoff, hourCutoff: hourCutoff)
        let b = max(a, Self.snap(to, minuteCutoff: minuteCutoff, hourCutoff: hourCutoff))
        self.from = a
        self.to = b
        var buckets: [(Resolution, Int64)] = []
        var t = a
        var end = b
        let day = Resolution.day.milliseconds
        if let data {
            let days = Self.days(covering: data)
            if days.lowerBound > t { t = min(days.lowerBound, b) }
            if days.upperBound < end { end = max(days.upperBound, t) }
        }
        let hour = Resolution.hour.milliseconds
        let minute = Resolution.minute.milliseconds
        while t < end {
            if t.floorDivided(by: day).1 == 0 && t + day <= b {
                buckets.append((.day, t.floorDivided(by: day).0))
                t += day
            } else if t.floorDivided(by: hour).1 == 0 && t + hour <= b {
                buckets.append((.hour, t.floorDivided(by: hour).0))
                t += hour
            } else {
                buckets.append((.minute, t.floorDivided(by: minute).0))
                t += minute
            }
        }
        self.buckets = buckets
    }

    /// A window's bounds with no buckets: the plan over an engine that holds no events yet. Without it, a window
    /// of all time would name every day of ±140,000 years.
    static func empty(from: Int64, to: Int64, minuteCutoff: Int64, hourCutoff: Int64) -> WindowPlan {
        var plan = WindowPlan(from: from, to: from, minuteCutoff: minuteCutoff, hourCutoff: hourCutoff)
        plan.to = max(plan.from, snap(to, minuteCutoff: minuteCutoff, hourCutoff: hourCutoff))
        return plan
    }

    /// The whole days holding `data`, in milliseconds: from the start of its first day to the end of its last.
    static func days(covering data: ClosedRange<Int64>) -> Range<Int64> {
        let day = Resolution.day.milliseconds
        return data.lowerBound.floorDivided(by: day).0 * day..<(data.upperBound.floorDivided(by: day).0 + 1) * day
    }

    private static func snap(_ t: Int64, minuteCutoff: Int64, hourCutoff: Int64) -> Int64 {
        let width = Self.width(at: t, minuteCutoff: minuteCutoff, hourCutoff: hourCutoff)
        return t - t.floorDivided(by: width.milliseconds).1
    }

    /// The finest buckets kept at `t`: minutes while recent, then hours, then days. A window's edge at `t` is
    /// rounded down to this width.
    static func width(at t: Int64, minuteCutoff: Int64, hourCutoff: Int64) -> Resolution {
        t >= minuteCutoff ? .minute : t >= hourCutoff ? .hour : .day
    }
}
