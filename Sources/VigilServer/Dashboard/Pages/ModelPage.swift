import Foundation
import HTTPTypes
import VigilCore

/// `/models/{model}`: every metric over the range, one metric's series (per step or rolling, per version),
/// realized against estimated performance with label coverage, the confusion matrix and the calibration curve.
struct ModelPage {
    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    struct MetricRow {
        var name: String
        var href: String
        var value: String
        var exact: String
        var interval: String
        var n: String
        var nExact: String
        /// Why there is no value, shown in its place.
        var reason: String?
    }

    struct SeriesRow {
        var from: String
        var fromISO: String
        var value: String
        var exact: String
        var interval: String
        var n: String
    }

    var frame: PageFrame
    var metrics: [MetricRow]
    var metricOptions: [Option]
    var stepOptions: [Option]
    var rollingOptions: [Option]
    var versionOptions: [Option]
    var segmentOptions: [Option]
    var overlay: Bool
    var hasVersions: Bool
    var metric: String
    var seriesTitle: String
    var seriesChart: String
    var seriesRows: [SeriesRow]
    var estimation: EstimationPanel?
    var confusion: ConfusionMatrixView?
    var calibration: CalibrationPanel?
    var whereSlices: WherePanel?

    static let known: Set<String> = ["range", "to", "step", "metric", "rolling", "version", "segment", "overlay"]

    init(_ sources: DashboardSources, model: String, _ query: [String: String]) async throws(APIError) {
        try QueryParameters.requireKnown(query, Self.known)
        let now = sources.clock()
        let summary = try sources.summary(model)
        let range = try DashboardRange(query, now: now, latest: summary.lastEvent)
        let version = query["version"].flatMap { $0.isEmpty ? nil : $0 }
        let segmentText = query["segment"].flatMap { $0.isEmpty ? nil : $0 }
        let segment = try segmentText.map(MetricQuery.segment)
        let rolling = try query["rolling"].flatMap { $0.isEmpty ? nil : $0 }.map {
            (text) throws(APIError) in try MetricQuery.duration(text, "rolling")
        }
        overlay = (query["overlay"] ?? "1") == "1"
        let report = try sources.host.query { engine throws(QueryError) in
            try engine.metrics(model: model, window: range.window, version: version, segment: segment)
        }
        metric = query["metric"].flatMap { $0.isEmpty ? nil : $0 } ?? DashboardSources.headline(summary.task)
        guard report.names.contains(metric) else {
            throw .badRequest(
                "unknown_metric", "unknown metric '\(metric)'; available: \(report.names.joined(separator: ", "))")
        }
        var keep: [(String, String)] = [("metric", metric)]
        if let version { keep.append(("version", version)) }
        if let segmentText { keep.append(("segment", segmentText)) }
        if let rolling { keep.append(("rolling", rolling.windowText)) }
        if query["step"] != nil { keep.append(("step", range.step.windowText)) }
        frame = PageFrame(
            title: "\(model) · performance", model: model, page: .model,
            path: "/models/\(DashboardLinks.escape(model))", range: range, latestEvent: summary.lastEvent, keep: keep,
            now: now)

        let base = "/models/\(DashboardLinks.escape(model))?\(range.query())"
        let filters =
            (version.map { "&version=\(DashboardLinks.escape($0))" } ?? "")
            + (segmentText.map { "&segment=\(DashboardLinks.escape($0))" } ?? "")
        metrics = report.names.map { name in
            let v = report[name]
            return MetricRow(
                name: name, href: "\(base)&metric=\(DashboardLinks.escape(name))\(filters)",
                value: v?.value.map(MetricSeriesPanel.format(name)) ?? "—",
                exact: DashboardFormat.exact(v?.value),
                interval: v?.reason ?? DashboardFormat.interval(v?.lower, v?.upper),
                n: DashboardFormat.count(v?.n ?? 0),
                nExact: "\(v?.n ?? 0)", reason: v?.reason)
        }
        let metric = metric
        metricOptions = report.names.map { Option(value: $0, label: $0, selected: $0 == metric) }
        stepOptions = DashboardRange.steps.map {
            Option(value: $0, label: $0, selected: $0 == range.step.windowText)
        }
        rollingOptions =
            [Option(value: "", label: "per step", selected: rolling == nil)]
            + ["1h", "1d", "7d", "30d"].map {
                Option(value: $0, label: "rolling \($0)", selected: $0 == rolling?.windowText)
            }
        versionOptions =
            [Option(value: "", label: "all versions", selected: version == nil)]
            + summary.versions.sorted().map { Option(value: $0, label: $0, selected: $0 == version) }
        let segments = sources.host.read { engine in engine.segments(model: model) }
        segmentOptions =
            [Option(value: "", label: "all segments", selected: segment == nil)]
            + segments.map { Option(value: $0.description, label: $0.description, selected: $0 == segment) }
        hasVersions = summary.versions.count > 1

        // Both time charts mark the same changes: read them once.
        let markers = await sources.changeMarkers(model, range)
        let series = try MetricSeriesPanel(
            sources, model: model, metric: metric, range: range, rolling: rolling, version: version,
            segment: segment, overlayVersions: overlay && version == nil ? summary.versions.sorted() : [],
            markers: markers)
        seriesTitle = series.title
        seriesChart = series.chart
        seriesRows = series.rows
        if summary.task == .binary {
            estimation = try EstimationPanel(
                sources, model: model, metric: metric, range: range, version: version, segment: segment,
                markers: markers)
            calibration = try CalibrationPanel(sources, model: model, range: range, version: version, segment: segment)
        }
        if summary.task == .binary || summary.task == .multiclass {
            whereSlices = try WherePanel(sources, model: model, metric: metric, range: range)
        }
        confusion = report.confusion.map(ConfusionMatrixView.init)
    }
}
