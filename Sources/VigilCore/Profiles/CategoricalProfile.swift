/// The strings seen in one column: exact category counts up to a cap, then a frequent-items summary
/// plus a distinct-count sketch.
public struct CategoricalProfile: Sendable, Hashable, Codable {
    /// Exact counts while ``sketch`` is `nil`.
    var exact = StringTable<Int64>()
    var sketch: FrequentItems?
    var distinctSketch: HyperLogLog?
    /// Strings counted.
    public private(set) var count: Int64 = 0

    public var isExact: Bool { sketch == nil }
    public var distinct: Double { distinctSketch?.estimate ?? Double(exact.count) }

    /// Category counts: exact, or the frequent-items lower bounds once the summary has taken over.
    public var counts: [String: Int64] { sketch?.counters ?? exact.dictionary }

    /// How much any count in ``counts`` may be below the truth (0 while exact).
    public var countError: Int64 { sketch?.maxError ?? 0 }

    @inline(__always)
    mutating func add(_ s: String, limits: ProfileLimits) {
        count += 1
        if sketch == nil {
            exact.update(s, default: 0) { $0 += 1 }
            if exact.count > limits.exactCategories { switchToSketch() }
        } else {
            sketch!.add(s)
            distinctSketch!.add(hash: HyperLogLog.hash(s))
        }
    }

    private mutating func switchToSketch() {
        var f = FrequentItems()
        var h = HyperLogLog()
        for (k, n) in exact.dictionary.sorted(by: { $0.key < $1.key }) {
            f.add(k, n)
            h.add(hash: HyperLogLog.hash(k))
        }
        sketch = f
        distinctSketch = h
        exact = StringTable()
    }

    mutating func merge(_ o: CategoricalProfile, limits: ProfileLimits) {
        guard o.count > 0 else { return }
        count += o.count
        if sketch == nil && o.sketch == nil {
            o.exact.forEach { k, n in exact.update(k, default: 0) { $0 += n } }
            if exact.count > limits.exactCategories { switchToSketch() }
            return
        }
        if sketch == nil { switchToSketch() }
        if let os = o.sketch {
            sketch!.merge(os)
            distinctSketch!.merge(o.distinctSketch!)
        } else {
            for (k, n) in o.exact.dictionary.sorted(by: { $0.key < $1.key }) {
                sketch!.add(k, n)
                distinctSketch!.add(hash: HyperLogLog.hash(k))
            }
        }
    }

    var allocatedBytes: Int {
        exact.allocatedBytes + (sketch?.allocatedBytes ?? 0) + (distinctSketch == nil ? 0 : HyperLogLog.allocatedBytes)
    }
}
