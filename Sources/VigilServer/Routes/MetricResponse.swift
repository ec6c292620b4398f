import VigilCore

/// The JSON of a metrics query.
struct MetricResponse: Encodable {
    struct Slice: Encodable {
        var from: String?
        var to: String?
        var metrics: [String: MetricValue]
        var confusion: Confusion?
        /// The bucket width the edges were cut at: `1m` while the data is recent, `1h` or `1d` once older.
        var resolution: String?
    }

    struct Confusion: Encodable {
        var tp, fp, tn, fn: Int64?
        var classes: [String]?
        var matrix: [[Int64]]?
    }

    var model: String
    var task: String
    var version: String?
    var segment: String?
    var asOf: String?
    /// Metric names in report order.
    var names: [String]
    var window: Slice?
    var series: [Slice]?
    /// Why the range holds nothing, and the range that has the model's data.
    var note: String?

    static func slice(_ r: MetricReport) -> Slice {
        var confusion: Confusion?
        switch r.confusion {
        case .binary(let tp, let fp, let tn, let fn)?: confusion = Confusion(tp: tp, fp: fp, tn: tn, fn: fn)
        case .multiclass(let classes, let matrix)?: confusion = Confusion(classes: classes, matrix: matrix)
        case nil: break
        }
        return Slice(
            from: r.from?.iso8601, to: r.to?.iso8601, metrics: r.values, confusion: confusion,
            resolution: r.resolution?.text)
    }
}
