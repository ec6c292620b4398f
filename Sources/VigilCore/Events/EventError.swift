/// Why an event was rejected: a code, the field at fault and a message a person can act on.
public struct EventError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable machine-readable reasons.
    public enum Code: String, Sendable, Hashable {
        case missingField = "missing_field"
        case invalidValue = "invalid_value"
        case taskMismatch = "task_mismatch"
        case conflict = "conflict"
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
