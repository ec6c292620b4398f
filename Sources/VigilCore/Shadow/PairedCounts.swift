/// Counts over pairs of predictions for the same input: the served (primary) one and a shadow's, joined
/// with the one label they share. Kept per hour of the primary's event time, so windows sum them.
///
/// Classification pairs fill McNemar's table; regression pairs sum the difference of absolute errors
/// `d = |ŷ_shadow − y| − |ŷ_primary − y|` and its square.
public struct PairedCounts: Sendable, Hashable, Codable {
    /// Pairs with both predictions (labeled or not).
    public var pairs: Int64 = 0
    /// Classification: pairs whose predicted classes differ.
    public var disagreements: Int64 = 0
    /// Regression: Σ |ŷ_shadow − ŷ_primary| over all pairs.
    public var predictionDifference: Double = 0
    /// Pairs with a label.
    public var labeled: Int64 = 0
    /// McNemar's cells over labeled classification pairs.
    public var bothRight: Int64 = 0
    public var primaryOnlyRight: Int64 = 0
    public var shadowOnlyRight: Int64 = 0
    public var bothWrong: Int64 = 0
    /// Regression: Σ d and Σ d² over labeled pairs.
    public var errorDifference: Double = 0
    public var errorDifferenceSquares: Double = 0

    public init() {}

    /// One pair's contribution: both predictions (0/1, a class index or a number) and the label, if any.
    init(primary: Double, shadow: Double, label: Double?, regression: Bool) {
        pairs = 1
        if regression {
            predictionDifference = abs(shadow - primary)
        } else {
            disagreements = primary != shadow ? 1 : 0
        }
        guard let label else { return }
        labeled = 1
        if regression {
            let d = abs(shadow - label) - abs(primary - label)
            errorDifference = d
            errorDifferenceSquares = d * d
            return
        }
        switch (primary == label, shadow == label) {
        case (true, true): bothRight = 1
        case (true, false): primaryOnlyRight = 1
        case (false, true): shadowOnlyRight = 1
        case (false, false): bothWrong = 1
        }
    }

    /// Adds `other` times `sign` (−1 takes a pair's old contribution back when its label is corrected).
    mutating func add(_ other: PairedCounts, _ sign: Int64 = 1) {
        pairs += sign * other.pairs
        disagreements += sign * other.disagreements
        predictionDifference += Double(sign) * other.predictionDifference
        labeled += sign * other.labeled
        bothRight += sign * other.bothRight
        primaryOnlyRight += sign * other.primaryOnlyRight
        shadowOnlyRight += sign * other.shadowOnlyRight
        bothWrong += sign * other.bothWrong
        errorDifference += Double(sign) * other.errorDifference
        errorDifferenceSquares += Double(sign) * other.errorDifferenceSquares
    }
}

/// Which served version's predictions a shadow version's are paired with: both as base series ids.
struct ShadowPairKey: Hashable, Sendable, Codable {
    var primary: Int
    var shadow: Int
}
