/// One model's slice counts in one shard, by hour (while hourly profiles are kept) and by day.
///
/// Each bucket holds a ``SliceCounts`` per slice its predictions fall in: at most `1 + c·k + C(c, 2)·k²`
/// for `c` sliced columns of `k` codes each, whatever the number of predictions.
struct SliceBuckets: Sendable, Codable {
    var hours: [Int64: [SliceKey: SliceCounts]] = [:]
    var days: [Int64: [SliceKey: SliceCounts]] = [:]

    /// Applies `body` to every slice of `codes` in the hour and day of `time`.
    @inline(__always)
    mutating func update(_ codes: UInt64, time: Int64, hourCutoff: Int64, _ body: (inout SliceCounts) -> Void) {
        if time >= hourCutoff {
            let hour = time.floorDivided(by: Resolution.hour.milliseconds).0
            Self.update(&hours[hour, default: [:]], codes, body)
        }
        Self.update(&days[time.floorDivided(by: Resolution.day.milliseconds).0, default: [:]], codes, body)
    }

    @inline(__always)
    private static func update(
        _ cells: inout [SliceKey: SliceCounts], _ codes: UInt64, _ body: (inout SliceCounts) -> Void
    ) {
        SliceKey.forEach(in: codes) { body(&cells[$0, default: SliceCounts()]) }
    }

    mutating func prune(hoursBefore cutoff: Int64) {
        hours = hours.filter { $0.key * Resolution.hour.milliseconds >= cutoff }
    }

    /// Bytes held, roughly: each counted slice of each bucket.
    var footprint: Int {
        let cells = hours.values.reduce(0) { $0 + $1.count } + days.values.reduce(0) { $0 + $1.count }
        return cells * (MemoryLayout<SliceKey>.stride + MemoryLayout<SliceCounts>.stride + 16)
    }
}
