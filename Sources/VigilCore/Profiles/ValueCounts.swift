/// Exact counts of distinct numbers: an open-addressing hash table on the values' bit patterns.
///
/// Swift's `Dictionary` hashes with SipHash; a profile updates two buckets per numeric column per row,
/// so this table uses a multiply–xorshift mix and linear probing instead. `-0.0` is stored as `0.0`.
struct ValueCounts: Sendable, Hashable {
    private var keys: [UInt64] = []
    private var counts: [Int64] = []
    /// Distinct values held.
    private(set) var distinct = 0

    /// A NaN payload: never a stored value (non-finite numbers are not profiled).
    private static let empty: UInt64 = 0x7FF8_DEAD_BEEF_0001

    init() {}

    @inline(__always)
    private static func slot(_ bits: UInt64, mask: Int) -> Int {
        Int(truncatingIfNeeded: IdHash.mix(bits)) & mask
    }

    /// Adds `n` occurrences of `value` (finite).
    @inline(__always)
    mutating func add(_ value: Double, _ n: Int64 = 1) {
        if distinct * 4 >= keys.count * 3 { grow() }
        let bits = value == 0 ? 0 : value.bitPattern
        let mask = keys.count - 1
        var i = Self.slot(bits, mask: mask)
        while true {
            let k = keys[i]
            if k == bits {
                counts[i] += n
                return
            }
            if k == Self.empty {
                keys[i] = bits
                counts[i] = n
                distinct += 1
                return
            }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldCounts = counts
        let capacity = Swift.max(16, keys.count * 2)
        keys = [UInt64](repeating: Self.empty, count: capacity)
        counts = [Int64](repeating: 0, count: capacity)
        distinct = 0
        for (k, c) in zip(oldKeys, oldCounts) where k != Self.empty { add(Double(bitPattern: k), c) }
    }

    /// Calls `body` with every distinct value and its count, in table order.
    func forEach(_ body: (Double, Int64) -> Void) {
        for (k, c) in zip(keys, counts) where k != Self.empty { body(Double(bitPattern: k), c) }
    }

    /// The distinct values in ascending order with their counts.
    func sorted() -> (values: [Double], counts: [Int64]) {
        var pairs: [(Double, Int64)] = []
        pairs.reserveCapacity(distinct)
        forEach { pairs.append(($0, $1)) }
        pairs.sort { $0.0 < $1.0 }
        return (pairs.map(\.0), pairs.map(\.1))
    }

    mutating func merge(_ other: ValueCounts) {
        other.forEach { add($0, $1) }
    }

    var allocatedBytes: Int { keys.capacity * 8 + counts.capacity * 8 }

    static func == (a: ValueCounts, b: ValueCounts) -> Bool {
        let x = a.sorted()
        let y = b.sorted()
        return x.values == y.values && x.counts == y.counts
    }

    func hash(into h: inout Hasher) {
        h.combine(distinct)
    }
}

extension ValueCounts: Codable {
    private enum CodingKeys: String, CodingKey { case values, counts }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let values = try c.decode([Double].self, forKey: .values)
        let counts = try c.decode([Int64].self, forKey: .counts)
        self.init()
        for (v, n) in zip(values, counts) { add(v, n) }
    }

    func encode(to encoder: any Encoder) throws {
        // Sorted, so that equal tables encode to equal bytes whatever order they were filled in.
        let s = sorted()
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(s.values, forKey: .values)
        try c.encode(s.counts, forKey: .counts)
    }
}
