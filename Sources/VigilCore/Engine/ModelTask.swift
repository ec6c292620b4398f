/// What kind of model a model is: it decides which aggregates and metrics it gets.
public enum ModelTask: String, Sendable, Hashable, CaseIterable, Codable {
    /// Probability of class `1`; prediction and label are `0`/`1`.
    case binary
    /// One of several named classes, optionally with a score per class.
    case multiclass
    /// A number.
    case regression

    /// The task a prediction implies when its model has not been declared.
    static func inferred(from p: Prediction) -> ModelTask {
        switch (p.score, p.prediction) {
        case (.classes, _), (_, .category): return .multiclass
        case (.probability, _): return .binary
        case (nil, _): return .regression
        }
    }
}
