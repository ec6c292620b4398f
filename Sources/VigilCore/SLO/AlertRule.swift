/// When an SLO pages or opens a ticket.
///
/// A **burn-rate** rule (ratio SLIs) fires when the error budget burns at least `burn_rate` times
/// faster than the objective allows over `long_window`, confirmed by `short_window` (the SRE workbook's
/// multi-window, multi-burn-rate alerts). A **threshold** rule fires when the SLI has been on the wrong
/// side of the objective for `for`.
///
/// ```json
/// {"name": "page-1h", "severity": "page", "burn_rate": 14.4, "long_window": "1h", "short_window": "5m"}
/// {"name": "threshold", "severity": "ticket", "for": "30m"}
/// ```
public struct AlertRule: Sendable, Hashable, Codable {
    public var name: String
    /// Carried on notifications (`page`, `ticket`, or any routing label the receiver knows).
    public var severity: String
    /// Set for burn-rate rules; `nil` for threshold rules.
    public var burnRate: Double?
    /// Burn-rate rules: the window the burn is measured over. Threshold rules: the SLI's window
    /// (default: the SLO's window).
    public var longWindow: Duration?
    /// Burn-rate rules: the window that must still be burning, so alerts resolve soon after a fix.
    public var shortWindow: Duration?
    /// How long the condition must hold before the alert fires (default 0 for burn-rate rules).
    public var forDuration: Duration
    /// Samples the long window needs (default: the SLO's `min_samples`).
    public var minSamples: Int64?

    public init(
        name: String, severity: String, burnRate: Double? = nil, longWindow: Duration? = nil,
        shortWindow: Duration? = nil, for forDuration: Duration = .zero, minSamples: Int64? = nil
    ) {
        self.name = name
        self.severity = severity
        self.burnRate = burnRate
        self.longWindow = longWindow
        self.shortWindow = shortWindow
        self.forDuration = forDuration
        self.minSamples = minSamples
    }

    public var isBurnRate: Bool { burnRate != nil }

    /// The SRE workbook's defaults for a 30-day SLO: page at 14.4× over 1 h confirmed by 5 m, page at 6×
    /// over 6 h confirmed by 30 m, ticket at 1× over 3 d confirmed by 6 h.
    public static let defaultBurnRateRules: [AlertRule] = [
        AlertRule(
            name: "page-1h", severity: "page", burnRate: 14.4, longWindow: .seconds(3600), shortWindow: .seconds(300)),
        AlertRule(
            name: "page-6h", severity: "page", burnRate: 6, longWindow: .seconds(6 * 3600),
            shortWindow: .seconds(1800)),
        AlertRule(
            name: "ticket-3d", severity: "ticket", burnRate: 1, longWindow: .seconds(3 * 86_400),
            shortWindow: .seconds(6 * 3600)),
    ]

    /// The default for SLIs without a budget: the SLO's objective, held for `for`.
    public static func defaultThresholdRule(for duration: Duration) -> AlertRule {
        AlertRule(name: "threshold", severity: "page", for: duration)
    }

    /// Samples a short window needs before it can veto an alert: a tenth of the long window's, at least 10.
    func shortMinSamples(_ long: Int64) -> Int64 { max(10, long / 10) }

    enum CodingKeys: String, CodingKey {
        case name, severity
        case burnRate = "burn_rate"
        case longWindow = "long_window", shortWindow = "short_window"
        case forDuration = "for"
        case minSamples = "min_samples"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        severity = try c.decodeIfPresent(String.self, forKey: .severity) ?? "page"
        burnRate = try c.decodeIfPresent(Double.self, forKey: .burnRate)
        longWindow = try c.decodeIfPresent(String.self, forKey: .longWindow).map(Duration.decoded)
        shortWindow = try c.decodeIfPresent(String.self, forKey: .shortWindow).map(Duration.decoded)
        forDuration = try c.decodeIfPresent(String.self, forKey: .forDuration).map(Duration.decoded) ?? .zero
        minSamples = try c.decodeIfPresent(Int64.self, forKey: .minSamples)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(severity, forKey: .severity)
        try c.encodeIfPresent(burnRate, forKey: .burnRate)
        try c.encodeIfPresent(longWindow?.windowText, forKey: .longWindow)
        try c.encodeIfPresent(shortWindow?.windowText, forKey: .shortWindow)
        try c.encode(forDuration.windowText, forKey: .forDuration)
        try c.encodeIfPresent(minSamples, forKey: .minSamples)
    }
}

extension Duration {
    /// The shortest `Duration(window:)` text for this duration (`90m`, `1h`, `30d`); `0s` for zero.
    public var windowText: String {
        let s = milliseconds / 1000
        guard s > 0 else { return "0s" }
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where s % size == 0 {
            return "\(s / size)\(unit)"
        }
        return "\(s)s"
    }

    /// Parses a window for a decoder, turning a bad one into a decoding error; `0s` is allowed.
    static func decoded(_ text: String) throws -> Duration {
        if text == "0" || text == "0s" { return .zero }
        do {
            return try Duration(window: text)
        } catch {
            throw SLOError(.invalidWindow, error.description)
        }
    }
}
