import Foundation
import HTTPTypes
import VigilCore

/// The reliability diagram over the range: the positive fraction against the mean score per score bin,
/// beside the diagonal a calibrated model would follow.
struct CalibrationPanel {
    struct Row {
        var bin: String
        var count: String
        var countExact: String
        var meanScore: String
        var meanScoreExact: String
        var positive: String
        var positiveExact: String
    }

    var chart: String
    var rows: [Row]
    var ece: String
    var eceExact: String

    init(_ sources: DashboardSources, model: String, range: DashboardRange, version: String?, segment: Segment?)
        throws(APIError)
    {
        let curve = try sources.host.query { engine throws(QueryError) in
            try engine.calibration(model: model, window: range.window, version: version, segment: segment)
        }
        let observed = curve.bins.map { b in
            LineChart.Point(
                x: b.meanScore ?? (b.lower + b.upper) / 2, y: b.fractionPositive,
                note:
                    "scores \(DashboardFormat.number(b.lower))–\(DashboardFormat.number(b.upper)): \(DashboardFormat.percent(b.fractionPositive)) positive of \(DashboardFormat.count(b.count))"
            )
        }
        chart = LineChart(
            title: "calibration curve", xDomain: 0...1,
            xAxis: .number(format: { DashboardFormat.tick($0) }), yDomain: 0...1,
            series: [
                LineChart.Series(name: "observed", color: Palette.color(0), points: observed),
                LineChart.Series(
                    name: "perfectly calibrated", color: Palette.reference,
                    points: [LineChart.Point(x: 0, y: 0), LineChart.Point(x: 1, y: 1)], dashed: true),
            ], width: 420, height: 300
        ).render()
        rows = curve.bins.map { b in
            Row(
                bin: "\(DashboardFormat.number(b.lower))–\(DashboardFormat.number(b.upper))",
                count: DashboardFormat.count(b.count), countExact: "\(b.count)",
                meanScore: DashboardFormat.number(b.meanScore), meanScoreExact: DashboardFormat.exact(b.meanScore),
                positive: DashboardFormat.number(b.fractionPositive),
                positiveExact: DashboardFormat.exact(b.fractionPositive))
        }
        ece = DashboardFormat.number(curve.expectedCalibrationError)
        eceExact = DashboardFormat.exact(curve.expectedCalibrationError)
    }
}
