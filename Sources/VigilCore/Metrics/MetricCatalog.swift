/// The built-in metrics of each task, in report order.
public enum MetricCatalog {
    static let common = ["count", "labeled_count", "label_coverage"]
    static let lag = ["label_lag_p50", "label_lag_p90", "label_lag_p99"]

    static let binary =
        common + [
            "accuracy", "precision", "recall", "specificity", "f1", "mcc", "roc_auc", "log_loss", "brier", "ece",
            "positive_rate_label", "positive_rate_prediction", "mean_score",
        ] + lag
    static let multiclass = common + ["accuracy", "macro_f1", "micro_f1", "log_loss"] + lag
    static let regression =
        common + [
            "mae", "rmse", "mape", "r2", "mean_error", "mean_label", "mean_prediction", "mape_rows", "zero_label_rows",
        ] + lag

    /// Per-class metrics of multiclass models, reported as `precision.CLASS` and so on.
    static let perClass = ["precision", "recall", "f1", "support", "predicted"]

    /// The built-in metric names for a task (multiclass per-class names excluded).
    public static func names(for task: ModelTask) -> [String] {
        switch task {
        case .binary: return binary
        case .multiclass: return multiclass
        case .regression: return regression
        }
    }
}
