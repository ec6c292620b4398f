import Foundation
import HTTPTypes
import VigilCore

/// A confusion matrix as an HTML table: rows are the true class, columns the predicted one, each cell
/// shaded by its share of its row.
struct ConfusionMatrixView {
    struct Cell {
        var count: String
        var exact: String
        var style: String
        var truth: String
        var predicted: String
    }

    struct Row {
        var label: String
        var cells: [Cell]
    }

    var classes: [String]
    var rows: [Row]

    init(_ confusion: MetricReport.Confusion) {
        let matrix: [[Int64]]
        switch confusion {
        case .binary(let tp, let fp, let tn, let fn):
            classes = ["0", "1"]
            matrix = [[tn, fp], [fn, tp]]
        case .multiclass(let names, let m):
            classes = names
            matrix = m
        }
        let classes = classes
        rows = matrix.enumerated().map { i, counts in
            let total = max(counts.reduce(0, +), 1)
            return Row(
                label: classes[i],
                cells: counts.enumerated().map { j, c in
                    let share = Double(c) / Double(total)
                    let color = i == j ? "22,163,74" : "220,38,38"
                    return Cell(
                        count: DashboardFormat.count(c), exact: "\(c)",
                        style: "background: rgba(\(color), \(String(format: "%.2f", 0.08 + share * 0.6)))",
                        truth: classes[i], predicted: classes[j])
                })
        }
    }
}
