/// The buckets of one series at one resolution: bucket number (`time / width`) → aggregate.
struct BucketLevel: Sendable, Codable {
    let resolution: Resolution
    private(set) var slots: [Int64: Int32] = [:]
    private(set) var aggregates: [Aggregate] = []
    private var free: [Int32] = []
    /// A direct-mapped cache of bucket number → slot: labels land on buckets up to days back,
    /// which a "last bucket" cache misses. It grows with the level (twice its buckets, from 8 up to 4,096
    /// entries, which cover the minute buckets' retention), so a series that holds one bucket costs ~100
    /// bytes of cache, not 48 KB: a high-cardinality segment key creates many such series.
    private var cachedKeys: [Int64] = []
    private var cachedSlots: [Int32] = []
    private static let maxCacheSize = 4096
    private static let minCacheSize = 8

    // The cache is rebuilt on use, so a snapshot leaves it out.
    private enum CodingKeys: String, CodingKey { case resolution, slots, aggregates, free }

    init(_ resolution: Resolution) { self.resolution = resolution }

    @inline(__always)
    func key(_ time: Int64) -> Int64 { time.floorDivided(by: resolution.milliseconds).0 }

    mutating func update(_ time: Int64, _ body: (inout Aggregate) -> Void) {
        let k = key(time)
        if cachedKeys.count < Self.maxCacheSize && cachedKeys.count < 2 * (slots.count + 1) { resizeCache() }
        let c = Int(truncatingIfNeeded: k) & (cachedKeys.count - 1)
        let slot: Int32
        if cachedKeys[c] == k {
            slot = cachedSlots[c]
        } else {
            slot = slotCreating(k)
            cachedKeys[c] = k
            cachedSlots[c] = slot
        }
        body(&aggregates[Int(slot)])
    }

    /// Empties the cache at the size the level's bucket count calls for (a power of two).
    private mutating func resizeCache() {
        var size = Self.minCacheSize
        while size < 2 * (slots.count + 1) && size < Self.maxCacheSize { size *= 2 }
        cachedKeys = [Int64](repeating: .min, count: size)
        cachedSlots = [Int32](repeating: -1, count: size)
    }

    private mutating func slotCreating(_ k: Int64) -> Int32 {
        if let existing = slots[k] { return existing }
        let slot: Int32
        if let reused = free.popLast() {
            slot = reused
        } else {
            slot = Int32(aggregates.count)
            aggregates.append(Aggregate())
        }
        slots[k] = slot
        return slot
    }

    func aggregate(atKey k: Int64) -> Aggregate? {
        slots[k].map { aggregates[Int($0)] }
    }

    /// Calls `body` with every bucket, in no particular order.
    /// Visits the buckets in time order, so that floating-point sums merge in the same order however
    /// the dictionary was built (a restored snapshot must answer bit for bit like the original).
    func forEach(_ body: (Int64, Aggregate) -> Void) {
        for k in slots.keys.sorted() { body(k, aggregates[Int(slots[k]!)]) }
    }

    /// Drops buckets that start before `cutoff` (milliseconds).
    mutating func prune(before cutoff: Int64) {
        let limit = key(cutoff)
        for (k, s) in slots where k < limit {
            slots[k] = nil
            aggregates[Int(s)] = Aggregate()
            free.append(s)
        }
        cachedKeys = []
        cachedSlots = []
    }

    var bucketCount: Int { slots.count }

    var footprint: Int {
        aggregates.reduce(0) { $0 + $1.footprint } + slots.capacity * 24 + cachedKeys.capacity * 12
    }
}
