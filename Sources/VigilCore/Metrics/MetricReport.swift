/// Metric values of one model slice over one window.
public struct MetricReport: Sendable, Hashable {
    public var model: String
    public var task: ModelTask
    /// The window's resolved bounds (`nil` for cumulative), after rounding to bucket edges.
    public var from: Timestamp?
    public var to: Timestamp?
    /// Metric names in report order.
    public var names: [String]
    public var values: [String: MetricValue]
    /// Binary: `tp`, `fp`, `tn`, `fn`. Multiclass: `classes` and `matrix` (rows = true class).
    public var confusion: Confusion?
    /// The bucket width the window's edges were rounded to (`nil` when cumulative): minutes while the data is
    /// recent, hours or days once the finer buckets have been folded away.
    public var resolution: Resolution?

    public subscript(name: String) -> MetricValue? { values[name] }

    /// A confusion matrix over labeled rows.
    public enum Confusion: Sendable, Hashable {
        case binary(tp: Int64, fp: Int64, tn: Int64, fn: Int64)
        case multiclass(classes: [String], matrix: [[Int64]])
    }
}
