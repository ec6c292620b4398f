/// The buckets of one series at one resolution: bucket number (`time / width`) → aggregate.
struct BucketLevel: Sendable {
    let resolution: Resolution
    private(set) var slots: [Int64: Int32] = [:]
    private(set) var aggregates: [Aggregate] = []
    private var free: [Int32] = []
    // Events mostly arrive in time order: remembering the last bucket skips the dictionary.
    private var lastKey = Int64.min
    private var lastSlot: Int32 = -1

    init(_ resolution: Resolution) { self.resolution = resolution }

    @inline(__always)
    func key(_ time: Int64) -> Int64 { time.floorDivided(by: resolution.milliseconds).0 }

    mutating func update(_ time: Int64, _ body: (inout Aggregate) -> Void) {
        let k = key(time)
        let slot: Int32
        if k == lastKey {
            slot = lastSlot
        } else if let existing = slots[k] {
            slot = existing
        } else {
            if let reused = free.popLast() {
                slot = reused
            } else {
                slot = Int32(aggregates.count)
                aggregates.append(Aggregate())
            }
            slots[k] = slot
        }
        lastKey = k
        lastSlot = slot
        body(&aggregates[Int(slot)])
    }

    func aggregate(atKey k: Int64) -> Aggregate? {
        slots[k].map { aggregates[Int($0)] }
    }

    /// Calls `body` with every bucket, in no particular order.
    func forEach(_ body: (Int64, Aggregate) -> Void) {
        for (k, s) in slots { body(k, aggregates[Int(s)]) }
    }

    /// Drops buckets that start before `cutoff` (milliseconds).
    mutating func prune(before cutoff: Int64) {
        let limit = key(cutoff)
        for (k, s) in slots where k < limit {
            slots[k] = nil
            aggregates[Int(s)] = Aggregate()
            free.append(s)
        }
        lastKey = .min
    }

    var bucketCount: Int { slots.count }

    var footprint: Int { aggregates.reduce(0) { $0 + $1.footprint } + slots.capacity * 24 }
}
