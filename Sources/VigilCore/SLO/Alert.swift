/// One episode of an SLO's alert rule: pending, then firing, then resolved.
public struct Alert: Sendable, Hashable, Codable, Identifiable {
    public enum State: String, Sendable, Hashable, Codable {
        /// The condition holds but not yet for the rule's `for`.
        case pending
        case firing
        /// The condition stopped holding (after firing, or while pending: `fired_at` is then absent).
        case resolved
    }

    /// `SLO/RULE/START_MS`: unique per episode.
    public var id: String
    public var slo: String
    public var rule: String
    public var severity: String
    public var model: String
    /// Pipeline SLOs: the job or dataset (`NAMESPACE/NAME`) or gate measured.
    public var subject: String?
    public var owner: String?
    /// The SLO's labels, carried to every receiver.
    public var labels: [String: String]
    public var state: State
    /// When the condition began to hold.
    public var activeSince: Timestamp
    public var firedAt: Timestamp?
    public var resolvedAt: Timestamp?
    /// The last evaluation that saw this alert.
    public var updatedAt: Timestamp
    /// A sentence on what is wrong, for people.
    public var summary: String
    /// The SLI, budget, drift, segments and versions when the alert started firing.
    public var context: AlertContext?

    public init(slo: SLODefinition, rule: AlertRule, at t: Timestamp, summary: String) {
        id = "\(slo.name)/\(rule.name)/\(t.milliseconds)"
        self.slo = slo.name
        self.rule = rule.name
        severity = rule.severity
        model = slo.model
        subject = slo.subject
        owner = slo.owner
        labels = slo.labels
        state = .pending
        activeSince = t
        updatedAt = t
        self.summary = summary
    }

    /// The tracker's key: one live alert per SLO and rule.
    public var key: String { "\(slo)/\(rule)" }

    enum CodingKeys: String, CodingKey {
        case id, slo, rule, severity, model, subject, owner, labels, state
        case activeSince = "active_since", firedAt = "fired_at", resolvedAt = "resolved_at"
        case updatedAt = "updated_at", summary, context
    }
}

/// A change of an alert's state, as notifications and backtests report it.
public struct AlertTransition: Sendable, Hashable, Codable {
    public var alert: Alert
    public var from: Alert.State?
    public var to: Alert.State
    public var at: Timestamp

    /// Receivers hear of firing and of resolution after firing; pending episodes stay quiet.
    public var notifies: Bool { to == .firing || (to == .resolved && from == .firing) }
}
