/// A query that cannot be answered: unknown model, version or metric, or a bad window.
public struct QueryError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unknownModel = "unknown_model"
        case unknownVersion = "unknown_version"
        case unknownMetric = "unknown_metric"
        case invalidWindow = "invalid_window"
        case invalidDefinition = "invalid_definition"
        /// A version comparison that cannot be made: the same version twice, a metric without a test, a bad margin.
        case invalidComparison = "invalid_comparison"
        /// A model declared with a task other than the one it already has.
        case taskConflict = "task_conflict"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
