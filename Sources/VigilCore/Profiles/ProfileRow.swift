/// One prediction's values as profiles need them: column ids resolved once, applied to two buckets.
struct ProfileRow: Sendable {
    var columns: [(id: Int, value: FeatureValue)] = []
    var score: Double?
    var prediction: FeatureValue = .null

    @inline(__always)
    func apply(to bucket: inout ProfileBucket, columnCount: Int, limits: ProfileLimits) {
        bucket.rows += 1
        if bucket.columns.count < columnCount {
            bucket.columns.append(contentsOf: repeatElement(ColumnProfile(), count: columnCount - bucket.columns.count))
        }
        if bucket.outputs.isEmpty { bucket.outputs = [ColumnProfile(), ColumnProfile()] }
        for c in columns { bucket.columns[c.id].add(c.value, limits: limits) }
        if let score { bucket.outputs[ProfileBucket.scoreOutput].add(.number(score), limits: limits) }
        bucket.outputs[ProfileBucket.predictionOutput].add(prediction, limits: limits)
    }
}
