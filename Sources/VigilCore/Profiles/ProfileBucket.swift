/// The column profiles of one model version in one hour or day bucket, indexed by the model's column ids.
struct ProfileBucket: Sendable, Hashable, Codable {
    var rows: Int64 = 0
    var columns: [ColumnProfile] = []
    /// `score` and `prediction`, at ``ProfileBucket/scoreOutput`` and ``ProfileBucket/predictionOutput``.
    var outputs: [ColumnProfile] = []

    static let scoreOutput = 0
    static let predictionOutput = 1
    static let outputNames = ["score", "prediction"]

    mutating func merge(_ o: ProfileBucket, limits: ProfileLimits) {
        rows += o.rows
        Self.merge(&columns, o.columns, limits)
        Self.merge(&outputs, o.outputs, limits)
    }

    private static func merge(_ a: inout [ColumnProfile], _ b: [ColumnProfile], _ limits: ProfileLimits) {
        if a.count < b.count { a.append(contentsOf: repeatElement(ColumnProfile(), count: b.count - a.count)) }
        for i in b.indices where b[i].present > 0 { a[i].merge(b[i], limits: limits) }
    }

    var footprint: Int {
        columns.reduce(0) { $0 + $1.footprint } + outputs.reduce(0) { $0 + $1.footprint }
    }
}
