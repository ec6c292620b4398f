/// The built-in metrics written in the metric expression language.
///
/// The engine computes built-ins with specialised aggregates (a confusion matrix, score
/// histograms) because they are faster and smaller; these definitions say what each one means,
/// and the test suite checks that the engine's custom-metric path computes the same values from them.
public enum BuiltinDefinitions {
    public static let binary: [String: String] = [
        "count": "count()",
        "labeled_count": "sum(labeled)",
        "label_coverage": "sum(labeled) / count()",
        "accuracy": "sum(prediction == label) / count()",
        "precision": "sum(prediction == 1 and label == 1) / sum(prediction == 1)",
        "recall": "sum(prediction == 1 and label == 1) / sum(label == 1)",
        "specificity": "sum(prediction == 0 and label == 0) / sum(label == 0)",
        "f1": "2 * sum(prediction == 1 and label == 1) / (sum(prediction == 1) + sum(label == 1))",
        "mcc": """
        (sum(prediction == 1 and label == 1) * sum(prediction == 0 and label == 0) \
        - sum(prediction == 1 and label == 0) * sum(prediction == 0 and label == 1)) \
        / sqrt(sum(prediction == 1) * sum(label == 1) * sum(label == 0) * sum(prediction == 0))
        """,
        "log_loss": "mean(-log(clip(label_score, 1e-15, 1)))",
        "brier": "mean((score - label) * (score - label))",
        "positive_rate_label": "mean(label)",
        "positive_rate_prediction": "sum(prediction == 1 and labeled) / sum(labeled)",
        "mean_score": "sum(score * labeled) / sum(labeled)",
    ]

    public static let regression: [String: String] = [
        "count": "count()",
        "labeled_count": "sum(labeled)",
        "mae": "mean(abs(prediction - label))",
        "rmse": "sqrt(mean((prediction - label) * (prediction - label)))",
        "mape": "mean(abs(prediction - label) / abs(label))",
        "mean_error": "mean(prediction - label)",
        "mean_label": "mean(label)",
        "mean_prediction": "sum(prediction * labeled) / sum(labeled)",
        "mape_rows": "sum(label != 0)",
        "zero_label_rows": "sum(label == 0)",
        "r2":
            "1 - sum((label - prediction) * (label - prediction)) / (sum(label * label) - sum(label) * sum(label) / count())",
    ]

    /// Multiclass definitions; `CLASS` stands for each class name in the per-class ones.
    public static let multiclass: [String: String] = [
        "count": "count()",
        "labeled_count": "sum(labeled)",
        "accuracy": "sum(prediction == label) / count()",
        "micro_f1": "sum(prediction == label) / count()",
        "log_loss": "mean(-log(clip(label_score, 1e-15, 1)))",
        "precision.CLASS": "sum(prediction == 'CLASS' and label == 'CLASS') / sum(prediction == 'CLASS' and labeled)",
        "recall.CLASS": "sum(prediction == 'CLASS' and label == 'CLASS') / sum(label == 'CLASS')",
        "f1.CLASS":
            "2 * sum(prediction == 'CLASS' and label == 'CLASS') / (sum(prediction == 'CLASS' and labeled) + sum(label == 'CLASS'))",
    ]
}
