/// The classifier metrics slices are ranked by: proportions of labeled predictions, higher is better.
public enum SliceMetric: String, Sendable, Hashable, Codable, CaseIterable {
    case accuracy, precision, recall

    /// `(good, n)`: correct of labeled, true of predicted positives, or found of actual positives.
    func outcomes(_ c: SliceCounts) -> (good: Int64, n: Int64) {
        switch self {
        case .accuracy: return (c.correct, c.labeled)
        case .precision: return (c.truePositives, c.truePositives + c.falsePositives)
        case .recall: return (c.truePositives, c.truePositives + c.falseNegatives)
        }
    }

    /// The metric's bad events: wrong predictions, false positives, or missed positives.
    var badEvents: String {
        switch self {
        case .accuracy: return "wrong predictions"
        case .precision: return "false positives"
        case .recall: return "false negatives"
        }
    }

    /// Whether a model of `task` has the metric.
    func applies(to task: ModelTask) -> Bool { task == .binary || (task == .multiclass && self == .accuracy) }
}
