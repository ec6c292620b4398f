import VigilCore

/// A custom metric definition as stored, for listing and for `GET /v1/models/{model}/metrics/{name}`.
public struct StoredMetricDefinition: Sendable, Hashable {
    public var model: String
    public var name: String
    public var expression: String
    public var backfill: Bool
    /// The log position the definition took effect at.
    public var sequence: Int64
    public var definedAt: Timestamp

    public init(model: String, name: String, expression: String, backfill: Bool, sequence: Int64, definedAt: Timestamp)
    {
        self.model = model
        self.name = name
        self.expression = expression
        self.backfill = backfill
        self.sequence = sequence
        self.definedAt = definedAt
    }
}
