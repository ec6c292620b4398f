/// Seconds as people read a duration: `42 s`, `12.5 min`, `24.6 h`, `9.3 d` — for label lags, freshness and
/// run times on the dashboard and in the CLI (the API gives seconds and names the unit).
public enum DurationText {
    public static func format(seconds s: Double) -> String {
        guard s.isFinite else { return "—" }
        let a = abs(s)
        if a < 90 { return "\(Int(s.rounded())) s" }
        if a < 90 * 60 { return "\(one(s / 60)) min" }
        if a < 72 * 3600 { return "\(one(s / 3600)) h" }
        return "\(one(s / 86_400)) d"
    }

    private static func one(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}

extension MetricCatalog {
    /// The unit of a metric's value when it is not a plain number: label lags are in seconds.
    public static func unit(of name: String) -> String? {
        name.hasPrefix("label_lag_") ? "seconds" : nil
    }
}

extension SLI {
    /// SLIs whose value is a duration in seconds: staleness and run time.
    public var isSeconds: Bool { isStaleness || self == .pipeline(.jobDuration) }
}
