/// Why an event was rejected: a code, the field at fault and a message a person can act on.
public struct EventError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable machine-readable reasons.
    public enum Code: String, Sendable, Hashable {
        case missingField = "missing_field"
        case invalidValue = "invalid_value"
        case taskMismatch = "task_mismatch"
        case conflict = "conflict"
        /// A string longer than its limit (``EngineLimits``).
        case tooLong = "too_long"
        /// A model, version or segment name with control characters.
        case invalidName = "invalid_name"
        /// The row would grow the engine past a limit: models, versions, segment keys, classes, features.
        case limitExceeded = "limit_exceeded"
        /// An event time before 1970-01-01.
        case timestampBeforeEpoch = "timestamp_before_epoch"
        /// Feedback older than the label horizon behind the newest event: its prediction is gone.
        case labelPastHorizon = "label_past_horizon"
        /// A shadow prediction whose id has no served prediction (yet): send the served one first.
        case missingPrimary = "missing_primary"
    }

    public var code: Code
    /// The field at fault (`score`, `label`, `features.trip_distance`), or empty.
    public var field: String
    public var message: String

    public init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}
