/// Labeled scores binned at 1e-4 resolution, per true class: enough for ROC AUC.
///
/// Bin `k` holds scores in `[(k − ½)·10⁻⁴, (k + ½)·10⁻⁴)`, so scores written with up to four
/// decimals each get their own bin and AUC is exact for them. For other scores, AUC errs only
/// through pairs of a positive and a negative that share a bin (counted as ties, half a pair),
/// which is at most ½·Σ_b pos_b·neg_b / (P·N): below 1e-3 unless a large share of both classes
/// falls within one 1e-4-wide bin.
///
/// Small buckets (a minute's worth of rows) keep an open-addressing map of the bins they use;
/// once a bucket uses more than ~3,000 bins it switches to one dense array of 10,001 count pairs
/// (80 KB), about the map's size by then, and every update is O(1).
struct ScoreHistogram: Sendable, Hashable, Codable {
    static let binsPerUnit = 10_000.0
    static let binCount = 10_001
    private static let empty = UInt16.max
    private static let maxSparseCapacity = 4096

    /// Sparse form: bin keys (`empty` = free slot) and counts, capacity a power of two.
    private var keys: [UInt16] = []
    private var sparse: [SIMD2<UInt32>] = []
    private var used = 0
    /// Dense form: per bin (negatives, positives); empty while sparse.
    private var dense: [SIMD2<UInt32>] = []

    @inline(__always)
    static func bin(_ score: Double) -> Int { Int((score * binsPerUnit).rounded()) }

    /// Adds `delta` (±1) to the count of `bin` for the row's class.
    mutating func add(bin: Int, positive: Bool, _ delta: Int64) {
        let step = UInt32(truncatingIfNeeded: delta)
        let increment = positive ? SIMD2<UInt32>(0, step) : SIMD2<UInt32>(step, 0)
        if !dense.isEmpty {
            dense[bin] &+= increment
            return
        }
        if keys.isEmpty {
            keys = [UInt16](repeating: Self.empty, count: 16)
            sparse = [SIMD2<UInt32>](repeating: .zero, count: 16)
        }
        let mask = keys.count - 1
        var i = Self.slot(bin, mask)
        while true {
            let k = keys[i]
            if k == UInt16(bin) {
                sparse[i] &+= increment
                return
            }
            if k == Self.empty { break }
            i = (i + 1) & mask
        }
        keys[i] = UInt16(bin)
        sparse[i] = increment
        used += 1
        if used * 4 > keys.count * 3 { grow() }
    }

    @inline(__always)
    private static func slot(_ bin: Int, _ mask: Int) -> Int { (bin &* 0x9E37_79B1) >> 7 & mask }

    private mutating func grow() {
        let oldKeys = keys
        let oldCounts = sparse
        if oldKeys.count >= Self.maxSparseCapacity {
            dense = [SIMD2<UInt32>](repeating: .zero, count: Self.binCount)
            for (k, c) in zip(oldKeys, oldCounts) where k != Self.empty { dense[Int(k)] &+= c }
            keys = []
            sparse = []
            used = 0
            return
        }
        keys = [UInt16](repeating: Self.empty, count: oldKeys.count * 2)
        sparse = [SIMD2<UInt32>](repeating: .zero, count: oldKeys.count * 2)
        let mask = keys.count - 1
        for (k, c) in zip(oldKeys, oldCounts) where k != Self.empty {
            var i = Self.slot(Int(k), mask)
            while keys[i] != Self.empty { i = (i + 1) & mask }
            keys[i] = k
            sparse[i] = c
        }
    }

    /// Calls `body(bin, negatives, positives)` for every bin in use.
    func forEachBin(_ body: (Int, UInt32, UInt32) -> Void) {
        if !dense.isEmpty {
            for (b, c) in dense.enumerated() where c != .zero { body(b, c.x, c.y) }
        } else {
            for (k, c) in zip(keys, sparse) where k != Self.empty { body(Int(k), c.x, c.y) }
        }
    }

    /// Adds this histogram's counts to a dense per-bin array (vectorised when this one is dense).
    func addCounts(into counts: inout [SIMD2<Int64>]) {
        counts.withUnsafeMutableBufferPointer { out in
            if !dense.isEmpty {
                dense.withUnsafeBufferPointer { d in
                    for b in 0..<d.count { out[b] &+= SIMD2<Int64>(truncatingIfNeeded: d[b]) }
                }
            } else {
                for i in 0..<keys.count where keys[i] != Self.empty {
                    out[Int(keys[i])] &+= SIMD2<Int64>(truncatingIfNeeded: sparse[i])
                }
            }
        }
    }

    mutating func merge(_ other: ScoreHistogram) {
        other.forEachBin { bin, neg, pos in
            if neg > 0 { add(bin: bin, positive: false, Int64(neg)) }
            if pos > 0 { add(bin: bin, positive: true, Int64(pos)) }
        }
    }

    var allocatedBytes: Int { keys.capacity * 2 + sparse.capacity * 8 + dense.capacity * 8 }
}

/// Dense per-bin sums of many histograms, for answering AUC over a window in one pass.
struct DenseScoreHistogram {
    var counts = [SIMD2<Int64>](repeating: .zero, count: ScoreHistogram.binCount)

    mutating func add(_ h: ScoreHistogram) {
        h.addCounts(into: &counts)
    }

    /// Mann–Whitney U / (P·N), ties (same bin) counting one half; `nil` with only one class.
    var rocAUC: Double? {
        var negativesBelow = 0.0
        var pairs = 0.0
        var p = 0.0
        for c in counts {
            let neg = Double(c.x)
            let pos = Double(c.y)
            pairs += pos * (negativesBelow + neg / 2)
            negativesBelow += neg
            p += pos
        }
        guard p > 0, negativesBelow > 0 else { return nil }
        return pairs / (p * negativesBelow)
    }
}
