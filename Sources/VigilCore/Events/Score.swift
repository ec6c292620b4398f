/// A classifier's confidence: the probability of the positive class, or one probability per class.
public enum Score: Hashable, Sendable {
    /// Binary classifiers: probability of class `1`, in [0, 1].
    case probability(Double)
    /// Multiclass classifiers: one probability per class, in the model's class order.
    case classes([ClassScore])
}

/// One class's probability in a multiclass score.
public struct ClassScore: Hashable, Sendable {
    public var name: String
    public var probability: Double

    public init(_ name: String, _ probability: Double) {
        self.name = name
        self.probability = probability
    }
}
