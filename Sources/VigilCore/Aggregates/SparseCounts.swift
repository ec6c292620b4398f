/// Counts per integer key, stored as two sorted columns: small when few keys are used, merged in linear time.
struct SparseCounts: Sendable, Hashable, Codable {
    private(set) var keys: [Int32] = []
    private(set) var counts: [Int64] = []

    var isEmpty: Bool { keys.isEmpty }

    /// Adds `delta` (negative to remove) to `key`'s count.
    mutating func add(_ key: Int32, _ delta: Int64) {
        var lo = 0
        var hi = keys.count
        // Fast path: keys arrive roughly in order within a bucket, and the largest is checked first.
        if let last = keys.last, last < key {
            keys.append(key)
            counts.append(delta)
            return
        }
        while lo < hi {
            let mid = (lo + hi) >> 1
            if keys[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        if lo < keys.count && keys[lo] == key {
            counts[lo] += delta
        } else {
            keys.insert(key, at: lo)
            counts.insert(delta, at: lo)
        }
    }

    mutating func merge(_ other: SparseCounts) {
        guard !other.keys.isEmpty else { return }
        guard !keys.isEmpty else {
            self = other
            return
        }
        var mk: [Int32] = []
        var mc: [Int64] = []
        mk.reserveCapacity(keys.count + other.keys.count)
        mc.reserveCapacity(keys.count + other.keys.count)
        var i = 0
        var j = 0
        while i < keys.count || j < other.keys.count {
            if j == other.keys.count || (i < keys.count && keys[i] < other.keys[j]) {
                mk.append(keys[i])
                mc.append(counts[i])
                i += 1
            } else if i == keys.count || other.keys[j] < keys[i] {
                mk.append(other.keys[j])
                mc.append(other.counts[j])
                j += 1
            } else {
                mk.append(keys[i])
                mc.append(counts[i] + other.counts[j])
                i += 1
                j += 1
            }
        }
        keys = mk
        counts = mc
    }

    var total: Int64 { counts.reduce(0, +) }

    var allocatedBytes: Int { keys.capacity * 4 + counts.capacity * 8 }
}
