import Foundation

/// Turns a merged ``Aggregate`` into metric values.
struct MetricComputer {
    var task: ModelTask
    var classes: [String]

    /// Which optional aggregate parts the named metrics read.
    static func parts(for names: [String], hasCustom: Bool) -> AggregateParts {
        var parts: AggregateParts = []
        if names.contains("roc_auc") { parts.insert(.histogram) }
        if names.contains("ece") { parts.insert(.calibration) }
        if names.contains(where: { $0.hasPrefix("label_lag") }) { parts.insert(.lag) }
        if hasCustom { parts.insert(.custom) }
        return parts
    }

    func value(_ name: String, _ merged: WindowMerge.Result) -> MetricValue? {
        guard var v = computed(name, merged) else { return nil }
        if v.value == nil { v.reason = MetricReason.why(name, merged.aggregate, task: task) }
        return v
    }

    private func computed(_ name: String, _ merged: WindowMerge.Result) -> MetricValue? {
        let a = merged.aggregate
        switch name {
        case "count": return MetricValue(Double(a.count), n: a.count)
        case "labeled_count": return MetricValue(Double(a.labeled), n: a.count)
        case "label_coverage": return .proportion(a.labeled, of: a.count)
        case "label_lag_p50": return lag(merged.lag, 0.5)
        case "label_lag_p90": return lag(merged.lag, 0.9)
        case "label_lag_p99": return lag(merged.lag, 0.99)
        case "roc_auc" where task == .binary: return MetricValue(merged.rocAUC, n: a.binary.scored)
        default: break
        }
        switch task {
        case .binary: return binary(name, a.binary, a.labeled)
        case .multiclass: return multiclass(name, a.multiclass, a.labeled)
        case .regression: return regression(name, a.regression, a.labeled)
        }
    }

    private func lag(_ sketch: LagSketch, _ q: Double) -> MetricValue {
        MetricValue(sketch.quantile(q), n: sketch.count)
    }

    private func ratio(_ sum: Double, _ n: Int64) -> MetricValue {
        MetricValue(n > 0 ? sum / Double(n) : nil, n: n)
    }

    private func binary(_ name: String, _ b: BinaryStats, _ labeled: Int64) -> MetricValue? {
        let (tp, fp, tn, fn) = (b.tp, b.fp, b.tn, b.fn)
        switch name {
        case "accuracy": return .proportion(tp + tn, of: labeled)
        case "precision": return .proportion(tp, of: tp + fp)
        case "recall": return .proportion(tp, of: tp + fn)
        case "specificity": return .proportion(tn, of: tn + fp)
        case "f1":
            let d = 2 * tp + fp + fn
            return MetricValue(d > 0 ? Double(2 * tp) / Double(d) : nil, n: labeled)
        case "mcc":
            let d = (Double(tp + fp) * Double(tp + fn) * Double(tn + fp) * Double(tn + fn)).squareRoot()
            let num = Double(tp) * Double(tn) - Double(fp) * Double(fn)
            // scikit-learn reports 0 when a marginal is empty; with no labels at all it is undefined.
            return MetricValue(labeled == 0 ? nil : d > 0 ? num / d : 0, n: labeled)
        case "positive_rate_label": return .proportion(tp + fn, of: labeled)
        case "positive_rate_prediction": return .proportion(tp + fp, of: labeled)
        case "mean_score": return ratio(b.scoreSum, b.scored)
        case "log_loss": return ratio(b.logLossSum, b.scored)
        case "brier": return ratio(b.brierSum, b.scored)
        case "ece": return MetricValue(b.calibration.expectedCalibrationError, n: b.scored)
        default: return nil
        }
    }

    private func multiclass(_ name: String, _ m: MulticlassStats, _ labeled: Int64) -> MetricValue? {
        let k = max(m.classes, classes.count)
        var correct: Int64 = 0
        for c in 0..<k { correct += m.cell(c, c) }
        switch name {
        case "accuracy": return .proportion(correct, of: labeled)
        case "micro_f1":
            // Single-label data: Σfp = Σfn = n − Σtp, so micro F1 = Σtp / n.
            return MetricValue(labeled > 0 ? Double(correct) / Double(labeled) : nil, n: labeled)
        case "macro_f1":
            guard labeled > 0 else { return MetricValue(nil, n: 0) }
            var sum = 0.0
            var used = 0
            for c in 0..<k {
                let (tp, fp, fn) = counts(m, c, k)
                // Classes that never occur as label or prediction are left out (sklearn's `labels` = seen classes).
                guard tp + fp + fn > 0 else { continue }
                sum += Double(2 * tp) / Double(2 * tp + fp + fn)
                used += 1
            }
            return MetricValue(used > 0 ? sum / Double(used) : nil, n: labeled)
        case "log_loss": return ratio(m.logLossSum, m.scored)
        default:
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let c = classes.firstIndex(of: parts[1]) else { return nil }
            let (tp, fp, fn) = counts(m, c, k)
            switch parts[0] {
            case "precision": return .proportion(tp, of: tp + fp)
            case "recall": return .proportion(tp, of: tp + fn)
            case "f1":
                let d = 2 * tp + fp + fn
                return MetricValue(d > 0 ? Double(2 * tp) / Double(d) : nil, n: tp + fn)
            case "support": return MetricValue(Double(tp + fn), n: labeled)
            case "predicted": return MetricValue(Double(tp + fp), n: labeled)
            default: return nil
            }
        }
    }

    private func counts(_ m: MulticlassStats, _ c: Int, _ k: Int) -> (Int64, Int64, Int64) {
        let tp = m.cell(c, c)
        var predicted: Int64 = 0
        var actual: Int64 = 0
        for o in 0..<k {
            predicted += m.cell(o, c)
            actual += m.cell(c, o)
        }
        return (tp, predicted - tp, actual - tp)
    }

    private func regression(_ name: String, _ r: RegressionStats, _ n: Int64) -> MetricValue? {
        switch name {
        case "mae": return ratio(r.absErrorSum, n)
        case "rmse": return MetricValue(n > 0 ? (max(0, r.squaredErrorSum) / Double(n)).squareRoot() : nil, n: n)
        case "mape": return ratio(r.percentErrorSum, r.percentRows)
        case "mean_error": return ratio(r.errorSum, n)
        case "mean_label": return MetricValue(n > 0 ? r.labels.mean : nil, n: n)
        case "mean_prediction": return ratio(r.predictionSum, n)
        case "mape_rows": return MetricValue(Double(r.percentRows), n: n)
        case "zero_label_rows": return MetricValue(Double(r.zeroLabelRows), n: n)
        case "r2":
            guard n >= 2, r.labels.m2 > 0 else { return MetricValue(nil, n: n) }
            return MetricValue(1 - r.squaredErrorSum / r.labels.m2, n: n)
        default: return nil
        }
    }

    func confusion(_ a: Aggregate) -> MetricReport.Confusion? {
        switch task {
        case .binary:
            return .binary(tp: a.binary.tp, fp: a.binary.fp, tn: a.binary.tn, fn: a.binary.fn)
        case .multiclass:
            let k = max(a.multiclass.classes, classes.count)
            let matrix = (0..<k).map { t in (0..<k).map { p in a.multiclass.cell(t, p) } }
            return .multiclass(classes: Array(classes.prefix(k)), matrix: matrix)
        case .regression:
            return nil
        }
    }
}
