/// A name a row expression can read.
enum RowVariable: Hashable, Sendable {
    /// Binary: the probability of class 1. Multiclass: the predicted class's probability.
    case score
    /// Multiclass: the probability of the named class (`score.short`).
    case classScore(String)
    /// The probability the model gave to the true class (binary: `score` or `1 − score`).
    case labelScore
    case prediction
    case label
    /// 1 once the prediction has a label, else 0.
    case labeled
    case feature(String)
    case segment(String)
    case version

    /// Whether the variable's value can change when feedback arrives.
    var dependsOnLabel: Bool {
        switch self {
        case .label, .labeled, .labelScore: return true
        default: return false
        }
    }

    /// Whether reading it restricts an aggregate to labeled rows.
    var requiresLabel: Bool { self == .label || self == .labelScore }

    static func resolve(_ parts: [String]) -> RowVariable? {
        switch (parts.first, parts.count) {
        case ("score", 1): return .score
        case ("score", 2): return .classScore(parts[1])
        case ("label_score", 1): return .labelScore
        case ("prediction", 1): return .prediction
        case ("label", 1): return .label
        case ("labeled", 1): return .labeled
        case ("features", 2), ("feature", 2): return .feature(parts[1])
        case ("segment", 2), ("segments", 2), ("tags", 2): return .segment(parts[1])
        case ("version", 1): return .version
        default: return nil
        }
    }
}
