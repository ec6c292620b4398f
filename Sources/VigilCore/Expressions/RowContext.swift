/// What a row expression sees of one prediction and its label.
struct RowContext {
    var score: Double?
    /// Multiclass: the model's classes, and per class index the row's probability (NaN when absent).
    var classNames: [String] = []
    var classScores: [Double] = []
    var prediction: RowValue
    var label: RowValue
    var labelScore: Double?
    var features: [String: FeatureValue]
    var segments: [String: String]
    var version: String

    func value(of variable: RowVariable) -> RowValue {
        switch variable {
        case .score: return score.map(RowValue.number) ?? .null
        case .classScore(let name):
            guard let i = classNames.firstIndex(of: name), i < classScores.count, !classScores[i].isNaN else {
                return .null
            }
            return .number(classScores[i])
        case .labelScore: return labelScore.map(RowValue.number) ?? .null
        case .prediction: return prediction
        case .label: return label
        case .labeled: return .bool(label != .null)
        case .feature(let name):
            switch features[name] {
            case .number(let v): return .number(v)
            case .string(let s): return .text(s)
            case .null, nil: return .null
            }
        case .segment(let key): return segments[key].map(RowValue.text) ?? .null
        case .version: return .text(version)
        }
    }
}
