import Foundation

/// How the dashboard prints numbers: short, fixed-precision text for people, while the exact value goes
/// in a `data-value` attribute for scripts and tests.
enum DashboardFormat {
    /// Up to four significant digits, thousands grouped: "0.8123", "12.35", "20,000", "—" for none.
    static func number(_ v: Double?) -> String {
        guard let v else { return "—" }
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "∞" : "−∞") }
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 1000 { return grouped(v) }
        if a >= 100 { return String(format: "%.1f", v) }
        if a >= 1 {
            return String(format: "%.3g", v) == String(format: "%.0f", v)
                ? String(format: "%.0f", v) : String(format: "%.2f", v)
        }
        if a >= 0.001 { return String(format: "%.4f", v) }
        return String(format: "%.2e", v)
    }

    /// An axis label: at most four significant digits without trailing zeros ("0.8", "0.05", "12,000").
    static func tick(_ v: Double) -> String {
        guard v.isFinite else { return number(v) }
        return abs(v) >= 1000 ? grouped(v) : String(format: "%.4g", v)
    }

    /// A count with thousands separators: "20,000".
    static func count(_ v: Int64) -> String { grouped(Double(v)) }

    static func grouped(_ v: Double) -> String {
        let digits = String(Int64(abs(v).rounded()))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return v < 0 ? "-" + out : out
    }

    /// "81.2 %" (one decimal by default).
    static func percent(_ v: Double?, digits: Int = 1) -> String {
        guard let v, v.isFinite else { return "—" }
        return String(format: "%.\(digits)f %%", v * 100)
    }

    /// "[0.801, 0.823]" for an interval, empty when either end is missing.
    static func interval(_ lower: Double?, _ upper: Double?, format: (Double) -> String = { number($0) }) -> String {
        guard let lower, let upper else { return "" }
        return "[\(format(lower)), \(format(upper))]"
    }

    /// The exact value for a `data-value` attribute: Swift's shortest round-tripping form, "" for none.
    static func exact(_ v: Double?) -> String {
        guard let v else { return "" }
        return "\(v)"
    }

    /// Events per second: "0.0081/s", "12.4/s", "1,250/s".
    static func rate(_ v: Double) -> String { number(v) + "/s" }
}
