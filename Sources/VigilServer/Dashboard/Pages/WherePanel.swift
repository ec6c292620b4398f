import Foundation
import VigilCore

/// "Where": the slices nobody declared where the page's metric is worst over its range (see `docs/slices.md`).
struct WherePanel {
    struct Row {
        var slice: String
        var value: String
        var valueExact: String
        var rest: String
        var n: String
        var q: String
        var impact: String
    }

    var metric: String
    var tested: String
    var rows: [Row]

    /// Classifiers only; `nil` when the model has none of the slice metrics.
    init?(_ sources: DashboardSources, model: String, metric: String, range: DashboardRange) throws(APIError) {
        let name = SliceMetric(rawValue: metric) ?? .accuracy
        guard
            let report = try? sources.host.query({ engine throws(QueryError) in
                try engine.slices(model: model, metric: name, from: range.from, to: range.to, limit: 5)
            })
        else { return nil }
        self.metric = name.rawValue
        tested =
            "\(report.tested) slices tested, \(report.discoveries) worse than the rest at a 5% false discovery rate"
        rows = report.slices.filter(\.discovered).map {
            Row(
                slice: $0.slice, value: DashboardFormat.number($0.metric.value),
                valueExact: $0.metric.value.map { String($0) } ?? "", rest: DashboardFormat.number($0.rest.value),
                n: DashboardFormat.count($0.metric.n), q: String(format: "%.2g", $0.qValue),
                impact: DashboardFormat.percent($0.impact))
        }
    }
}
