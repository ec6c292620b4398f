/// Merges the buckets of a window: scalar parts pairwise, score histograms and lag sketches into
/// one dense accumulator each (pairwise merges of sparse structures would reallocate per bucket).
struct WindowMerge {
    struct Result {
        var aggregate: Aggregate
        var rocAUC: Double?
        var lag: LagSketch
    }

    let parts: AggregateParts
    private var aggregate = Aggregate()
    private var histogram: DenseScoreHistogram?
    private var lagCounts: [Int32: Int64] = [:]

    init(parts: AggregateParts) {
        self.parts = parts
        if parts.contains(.histogram) { histogram = DenseScoreHistogram() }
    }

    mutating func add(_ bucket: Aggregate) {
        aggregate.merge(bucket, parts.subtracting([.histogram, .lag]))
        if histogram != nil { histogram!.add(bucket.binary.histogram) }
        if parts.contains(.lag) { bucket.lag.addCounts(into: &lagCounts) }
    }

    var result: Result {
        Result(aggregate: aggregate, rocAUC: histogram?.rocAUC, lag: LagSketch(counts: lagCounts))
    }
}
