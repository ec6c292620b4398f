/// The minute, hour and day buckets of one series (model × version × segment value).
struct SeriesBuckets: Sendable, Codable {
    var minutes = BucketLevel(.minute)
    var hours = BucketLevel(.hour)
    var days = BucketLevel(.day)
    /// Column profiles; kept only in a version's overall series (segment series leave it empty).
    var profiles = ProfileSeries()

    /// Applies `body` to the bucket containing `time` at every level; minute buckets only from `minuteCutoff`
    /// and hour buckets from `hourCutoff` on, because older ones have been pruned.
    @inline(__always)
    mutating func update(_ time: Int64, minuteCutoff: Int64, hourCutoff: Int64, _ body: (inout Aggregate) -> Void) {
        if time >= minuteCutoff { minutes.update(time, body) }
        if time >= hourCutoff { hours.update(time, body) }
        days.update(time, body)
    }

    /// The bucket `key` at resolution `r`, if it exists.
    func aggregate(_ r: Resolution, key: Int64) -> Aggregate? {
        switch r {
        case .minute: return minutes.aggregate(atKey: key)
        case .hour: return hours.aggregate(atKey: key)
        case .day: return days.aggregate(atKey: key)
        }
    }
}
