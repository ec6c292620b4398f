/// A map from strings to small values for the per-row paths (a model's feature columns, a bucket's
/// category counts): open addressing with linear probing over ``IdHash``, with a tag byte per slot.
///
/// Swift's `Dictionary` hashes with SipHash, which made the two lookups per feature per row (its column,
/// then its category in the hour and day buckets) the largest cost of profiling. The tables here are
/// bounded (``EngineConfiguration/maxProfileColumns`` columns, ``ProfileLimits/exactCategories``
/// categories), so a set of crafted colliding strings costs at most a scan of one small table.
///
/// Equality and hashing are by content, not by layout: two tables holding the same pairs are equal.
struct StringTable<Value: Sendable & Hashable & Codable>: Sendable {
    private var keys: [String] = []
    private var values: [Value?] = []
    private var tags: [UInt8] = []
    private(set) var count = 0

    /// Fixed: profiles are values that merge and compare across engines and snapshots.
    private static var seed: UInt64 { 0x7ab1_e5ee_d0c0_1a55 }

    init() {}

    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: hash >> 57) | 0x80 }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always)
    private func slot(_ key: String, hash: UInt64) -> (Int, found: Bool) {
        let mask = tags.count - 1
        let tag = Self.tag(hash)
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let t = tags[i]
            if t == 0 { return (i, false) }
            if t == tag && keys[i] == key { return (i, true) }
            i = (i + 1) & mask
        }
    }

    subscript(key: String) -> Value? {
        get {
            guard count > 0 else { return nil }
            let (i, found) = slot(key, hash: IdHash.hash(key, seed: Self.seed))
            return found ? values[i] : nil
        }
        set {
            guard let newValue else {
                precondition(self[key] == nil, "StringTable does not remove keys")
                return
            }
            update(key, default: newValue) { $0 = newValue }
        }
    }

    /// Applies `body` to the value of `key`, inserting `initial` first when absent.
    @inline(__always)
    mutating func update(_ key: String, default initial: Value, _ body: (inout Value) -> Void) {
        if (count + 1) * 4 > tags.count * 3 { grow() }
        let hash = IdHash.hash(key, seed: Self.seed)
        let (i, found) = slot(key, hash: hash)
        if !found {
            keys[i] = key
            values[i] = initial
            tags[i] = Self.tag(hash)
            count += 1
        }
        body(&values[i]!)
    }

    private mutating func grow() {
        let old = zip(keys, values).filter { $0.1 != nil }
        let capacity = Swift.max(16, tags.count * 2)
        keys = Array(repeating: "", count: capacity)
        values = Array(repeating: nil, count: capacity)
        tags = Array(repeating: 0, count: capacity)
        count = 0
        for (k, v) in old { update(k, default: v!) { _ in } }
    }

    /// Every key with its value, in table order.
    func forEach(_ body: (String, Value) -> Void) {
        for i in tags.indices where tags[i] != 0 { body(keys[i], values[i]!) }
    }

    var dictionary: [String: Value] {
        var d = [String: Value](minimumCapacity: count)
        forEach { d[$0] = $1 }
        return d
    }

    var isEmpty: Bool { count == 0 }

    /// Heap bytes held.
    var allocatedBytes: Int {
        keys.capacity * MemoryLayout<String>.stride + values.capacity * MemoryLayout<Value?>.stride + tags.capacity
    }
}

extension StringTable: Hashable {
    static func == (a: StringTable, b: StringTable) -> Bool {
        guard a.count == b.count else { return false }
        var same = true
        a.forEach { k, v in if same && b[k] != v { same = false } }
        return same
    }

    func hash(into hasher: inout Hasher) {
        // Order-independent: the sum of each pair's hash.
        var sum = 0
        forEach { k, v in sum = sum &+ Hasher.pairHash((k, v)) }
        hasher.combine(count)
        hasher.combine(sum)
    }
}

extension Hasher {
    fileprivate static func pairHash<V: Hashable>(_ pair: (String, V)) -> Int {
        var h = Hasher()
        h.combine(pair.0)
        h.combine(pair.1)
        return h.finalize()
    }
}

extension StringTable: Codable {
    init(from decoder: any Decoder) throws {
        self.init()
        for (k, v) in try [String: Value](from: decoder) { self[k] = v }
    }

    func encode(to encoder: any Encoder) throws {
        try dictionary.encode(to: encoder)
    }
}
