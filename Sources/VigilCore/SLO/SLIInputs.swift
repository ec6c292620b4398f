/// What SLIs need besides the engine: the model's reference profile and validation rules (drift and
/// quality SLIs), and the recorded history of the SLO's job, dataset or gate (pipeline SLIs).
public struct SLIInputs: Sendable {
    public var reference: DataProfile?
    public var rules: RuleSet?
    public var pipeline: PipelineHistory?

    public init(reference: DataProfile? = nil, rules: RuleSet? = nil, pipeline: PipelineHistory? = nil) {
        self.reference = reference
        self.rules = rules
        self.pipeline = pipeline
    }
}
