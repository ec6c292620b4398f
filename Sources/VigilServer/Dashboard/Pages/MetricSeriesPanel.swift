import Foundation
import HTTPTypes
import VigilCore

/// One metric over the range, per step (the API's series) or over a rolling window ending at each step,
/// with its 95 % interval and, when asked, one line per version.
struct MetricSeriesPanel {
    var title: String
    var chart: String
    var rows: [ModelPage.SeriesRow]

    init(
        _ sources: DashboardSources, model: String, metric: String, range: DashboardRange, rolling: Duration?,
        version: String?, segment: Segment?, overlayVersions: [String], markers: [LineChart.Marker]
    ) throws(APIError) {
        let main = try Self.values(sources, model, metric, range, rolling, version, segment)
        let format = Self.format(metric)
        var series = [
            LineChart.Series(
                name: version.map { "\(metric) · \($0)" } ?? metric, color: Palette.color(0),
                points: Self.points(main, range, metric, atEnd: rolling != nil, format))
        ]
        if overlayVersions.count > 1 {
            for (i, v) in overlayVersions.enumerated() {
                let values = try Self.values(sources, model, metric, range, rolling, v, segment)
                series.append(
                    LineChart.Series(
                        name: v, color: Palette.color(i + 1),
                        points: Self.points(values, range, "\(metric) · \(v)", atEnd: rolling != nil, format),
                        dashed: true))
            }
        }
        let how = rolling.map { "over the \($0.windowText) up to each point" } ?? "per \(range.step.windowText)"
        title = "\(metric) \(how)"
        chart = LineChart(
            title: title, xDomain: Double(range.from.milliseconds)...Double(range.to.milliseconds),
            yFormat: { format($0) }, series: series, markers: markers
        ).render()
        rows = zip(range.slices, main).map { slice, v in
            ModelPage.SeriesRow(
                from: TimeLabel.full(slice.from), fromISO: slice.from.iso8601, value: v?.value.map(format) ?? "—",
                exact: DashboardFormat.exact(v?.value), interval: DashboardFormat.interval(v?.lower, v?.upper, format: format),
                n: DashboardFormat.count(v?.n ?? 0))
        }
    }

    /// How a value reads: label lags as durations (`24.6 h`), everything else as a number.
    static func format(_ metric: String) -> (Double) -> String {
        MetricCatalog.unit(of: metric) == "seconds" ? { DurationText.format(seconds: $0) } : { DashboardFormat.number($0) }
    }

    /// One value per step: the API's calendar series, or a window of `rolling` ending at each step's end.
    static func values(
        _ sources: DashboardSources, _ model: String, _ metric: String, _ range: DashboardRange, _ rolling: Duration?,
        _ version: String?, _ segment: Segment?
    ) throws(APIError) -> [MetricValue?] {
        try sources.host.query { engine throws(QueryError) in
            guard let rolling else {
                return try engine.metricSeries(
                    model: model, from: range.from, to: range.to, step: range.step, version: version, segment: segment,
                    names: [metric]
                ).map { $0[metric] }
            }
            return try range.slices.map { slice throws(QueryError) in
                try engine.metrics(
                    model: model, window: .range(from: slice.to - rolling, to: slice.to), version: version,
                    segment: segment, names: [metric])[metric]
            }
        }
    }

    /// A calendar step's value sits at the step's middle; a rolling window's at its end, the time it describes.
    static func points(
        _ values: [MetricValue?], _ range: DashboardRange, _ label: String, atEnd: Bool,
        _ format: (Double) -> String
    ) -> [LineChart.Point] {
        zip(range.slices, values).map { slice, v in
            let x = atEnd ? Double(slice.to.milliseconds) : Double(slice.from.milliseconds + slice.to.milliseconds) / 2
            return LineChart.Point(
                x: x, y: v?.value, lower: v?.lower, upper: v?.upper,
                note:
                    "\(label) \(TimeLabel.full(slice.from)): \(v?.value.map(format) ?? "—") \(DashboardFormat.interval(v?.lower, v?.upper, format: format)) n = \(DashboardFormat.count(v?.n ?? 0))"
            )
        }
    }
}
