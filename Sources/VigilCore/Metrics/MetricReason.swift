/// Why a metric has no value over a range, in words a user can act on: `precision` with no positive
/// predictions, `roc_auc` with one class only, anything with no labels yet.
enum MetricReason {
    static func why(_ name: String, _ a: Aggregate, task: ModelTask) -> String {
        if a.count == 0 { return "no predictions in range" }
        if name.hasPrefix("label_lag") { return "no labels arrived for the predictions in range" }
        if a.labeled == 0 { return "none of the \(a.count) predictions in range is labeled yet" }
        switch task {
        case .binary: return binary(name, a.binary)
        case .multiclass: return multiclass(name)
        case .regression: return regression(name)
        }
    }

    private static func binary(_ name: String, _ b: BinaryStats) -> String {
        switch name {
        case "precision": return "no positive predictions in range"
        case "recall": return "no positive labels in range"
        case "specificity": return "no negative labels in range"
        case "f1": return "no positive predictions or labels in range"
        case "roc_auc": return "needs scored predictions with both labels, 0 and 1, in range"
        case "log_loss", "brier", "ece", "mean_score": return "no labeled predictions with a score in range"
        default: return "undefined over this range"
        }
    }

    private static func multiclass(_ name: String) -> String {
        if name.hasPrefix("precision.") { return "no predictions of class \(name.dropFirst("precision.".count)) in range" }
        if name.hasPrefix("recall.") { return "no labels of class \(name.dropFirst("recall.".count)) in range" }
        if name.hasPrefix("f1.") { return "class \(name.dropFirst("f1.".count)) is neither predicted nor a label in range" }
        if name == "log_loss" { return "no labeled predictions with class scores in range" }
        return "undefined over this range"
    }

    private static func regression(_ name: String) -> String {
        switch name {
        case "mape": return "every labeled row in range has label 0 (MAPE divides by the label)"
        case "r2": return "needs at least two labeled rows with different labels in range"
        default: return "undefined over this range"
        }
    }
}
