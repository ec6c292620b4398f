/// An SLO definition or request that cannot be used, naming the field and what was expected.
public struct SLOError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case invalidObjective = "invalid_objective"
        case invalidSLI = "invalid_sli"
        case invalidWindow = "invalid_window"
        case invalidRule = "invalid_rule"
        case invalidDefinition = "invalid_slo"
    }

    public var code: Code
    /// The definition field at fault, e.g. `objective` or `alerts[1].burn_rate`.
    public var field: String?
    public var message: String

    public init(_ code: Code, field: String? = nil, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { message }
}
