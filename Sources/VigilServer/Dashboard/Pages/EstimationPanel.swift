import Foundation
import HTTPTypes
import VigilCore

/// Realized against estimated performance per step: the metric on labeled rows, the CBPE estimate over every
/// row with its 95 % interval, and the label coverage shaded behind them.
struct EstimationPanel {
    struct Row {
        var from: String
        var realized: String
        var realizedExact: String
        var estimated: String
        var estimatedExact: String
        var interval: String
        var coverage: String
        var coverageExact: String
    }

    var metric: String
    var chart: String
    var rows: [Row]

    /// CBPE estimates accuracy, precision and recall; other metrics show accuracy here.
    static let estimable = ["accuracy", "precision", "recall"]

    init(
        _ sources: DashboardSources, model: String, metric: String, range: DashboardRange, version: String?,
        segment: Segment?, markers: [LineChart.Marker]
    ) throws(APIError) {
        let name = Self.estimable.contains(metric) ? metric : "accuracy"
        self.metric = name
        let results = try sources.host.query { engine throws(QueryError) in
            try range.slices.map { slice throws(QueryError) in
                try engine.estimatedPerformance(
                    model: model, window: .range(from: slice.from, to: slice.to), version: version, segment: segment)
            }
        }
        var realized: [LineChart.Point] = []
        var estimated: [LineChart.Point] = []
        var shade: [(from: Double, to: Double, share: Double)] = []
        rows = []
        for (slice, e) in zip(range.slices, results) {
            let mid = Double(slice.from.milliseconds + slice.to.milliseconds) / 2
            let r = Self.value(name, e.realized)
            let b = Self.interval(name, e.blended)
            let when = TimeLabel.full(slice.from)
            realized.append(
                LineChart.Point(x: mid, y: r, note: "realized \(name) \(when): \(DashboardFormat.number(r))"))
            estimated.append(
                LineChart.Point(
                    x: mid, y: b?.value, lower: b?.lower, upper: b?.upper,
                    note:
                        "estimated \(name) \(when): \(DashboardFormat.number(b?.value)) \(DashboardFormat.interval(b?.lower, b?.upper))"
                ))
            shade.append((Double(slice.from.milliseconds), Double(slice.to.milliseconds), e.labelCoverage ?? 0))
            rows.append(
                Row(
                    from: when, realized: DashboardFormat.number(r), realizedExact: DashboardFormat.exact(r),
                    estimated: DashboardFormat.number(b?.value), estimatedExact: DashboardFormat.exact(b?.value),
                    interval: DashboardFormat.interval(b?.lower, b?.upper),
                    coverage: DashboardFormat.percent(e.labelCoverage),
                    coverageExact: DashboardFormat.exact(e.labelCoverage)))
        }
        chart = LineChart(
            title: "realized and estimated \(name)",
            xDomain: Double(range.from.milliseconds)...Double(range.to.milliseconds),
            series: [
                LineChart.Series(name: "realized (labeled rows)", color: Palette.color(0), points: realized),
                LineChart.Series(
                    name: "estimated (CBPE, all rows)", color: Palette.color(1), points: estimated, dashed: true),
            ],
            shade: LineChart.Shade(name: "label coverage", steps: shade), markers: markers
        ).render()
    }

    static func value(_ name: String, _ m: EstimatedPerformance.Metrics?) -> Double? {
        switch name {
        case "precision": return m?.precision
        case "recall": return m?.recall
        default: return m?.accuracy
        }
    }

    static func interval(_ name: String, _ b: EstimatedPerformance.Blended?) -> EstimatedPerformance.Interval? {
        switch name {
        case "precision": return b?.precision
        case "recall": return b?.recall
        default: return b?.accuracy
        }
    }
}
