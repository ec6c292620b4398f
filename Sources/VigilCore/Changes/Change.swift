/// One entry of a model's change timeline: a deployment, a stage or traffic change, a new reference, edited
/// rules, SLOs or custom metrics. Alerts carry the changes made shortly before they began, and the dashboard
/// marks them on every time chart: most incidents follow a change.
public struct Change: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A deployment recorded, edited (owner, code ref, metrics…) or removed.
        case deployment
        /// A version moved between stages (`canary → primary`).
        case stage
        /// A version's traffic share changed.
        case trafficShare = "traffic_share"
        /// The drift reference was set or removed.
        case reference
        /// The validation rules were set or removed.
        case rules
        /// An SLO on the model was defined, edited or removed.
        case slo
        /// A custom metric was defined or removed.
        case customMetric = "custom_metric"
    }

    /// Assigned by the store, increasing.
    public var id: Int64?
    public var model: String
    public var at: Timestamp
    public var kind: Kind
    /// What changed: a version, an SLO or metric name, `reference`, `rules`.
    public var subject: String
    /// The value before and after, when the change has one (`canary` → `primary`, `0.1` → `0.5`).
    public var from: String?
    public var to: String?
    /// A sentence for people: "v2: canary → primary".
    public var summary: String

    public init(
        model: String, at: Timestamp, kind: Kind, subject: String, from: String? = nil, to: String? = nil,
        summary: String
    ) {
        self.model = model
        self.at = at
        self.kind = kind
        self.subject = subject
        self.from = from
        self.to = to
        self.summary = summary
    }
}
