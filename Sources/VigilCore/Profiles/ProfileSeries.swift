/// The hour and day profile buckets of one model version.
///
/// Profiles skip minute buckets (a drift test over less than an hour of traffic is rarely meaningful,
/// and per-minute distributions would multiply memory); hour buckets are kept for
/// ``EngineConfiguration/profileHourRetention``, day buckets for as long as the metrics' day buckets.
struct ProfileSeries: Sendable, Hashable, Codable {
    var hours: [Int64: ProfileBucket] = [:]
    var days: [Int64: ProfileBucket] = [:]

    var isEmpty: Bool { days.isEmpty }

    mutating func prune(hoursBefore cutoff: Int64) {
        let limit = cutoff.floorDivided(by: Resolution.hour.milliseconds).0
        hours = hours.filter { $0.key >= limit }
    }

    var footprint: (buckets: Int, bytes: Int) {
        (
            hours.count + days.count,
            (hours.values.reduce(0) { $0 + $1.footprint } + days.values.reduce(0) { $0 + $1.footprint })
        )
    }
}
