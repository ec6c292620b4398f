/// What drift and quality SLIs compare against: the model's reference profile and validation rules.
public struct SLIInputs: Sendable {
    public var reference: DataProfile?
    public var rules: RuleSet?

    public init(reference: DataProfile? = nil, rules: RuleSet? = nil) {
        self.reference = reference
        self.rules = rules
    }
}
