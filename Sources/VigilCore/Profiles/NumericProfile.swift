/// The numbers seen in one column: moments, range, and the distribution (exact value counts up to a
/// cap, then a quantile sketch plus a distinct-count sketch).
public struct NumericProfile: Sendable, Hashable, Codable {
    var moments = Moments()
    public private(set) var min = Double.infinity
    public private(set) var max = -Double.infinity
    /// Exact counts while ``sketch`` is `nil`.
    var exact = ValueCounts()
    var sketch: QuantileSketch?
    var distinctSketch: HyperLogLog?

    /// Numbers counted.
    public var count: Int64 { Int64(moments.count) }
    public var mean: Double? { moments.count > 0 ? moments.mean : nil }
    /// Sample variance (n − 1), as pandas reports it.
    public var variance: Double? { moments.count > 1 ? moments.m2 / (moments.count - 1) : nil }
    /// Whether the distribution is exact (no sketch has taken over).
    public var isExact: Bool { sketch == nil }

    /// Distinct values: exact, or a HyperLogLog estimate once the sketch has taken over.
    public var distinct: Double { distinctSketch?.estimate ?? Double(exact.distinct) }

    @inline(__always)
    mutating func add(_ v: Double, limits: ProfileLimits) {
        moments.add(v)
        if v < min { min = v }
        if v > max { max = v }
        if sketch == nil {
            exact.add(v)
            if exact.distinct > limits.exactValues { switchToSketch() }
        } else {
            sketch!.add(v)
            distinctSketch!.add(hash: HyperLogLog.hash(v))
        }
    }

    private mutating func switchToSketch() {
        var s = QuantileSketch()
        var h = HyperLogLog()
        exact.forEach { v, n in
            s.add(v, n)
            h.add(hash: HyperLogLog.hash(v))
        }
        sketch = s
        distinctSketch = h
        exact = ValueCounts()
    }

    mutating func merge(_ o: NumericProfile, limits: ProfileLimits) {
        guard o.moments.count > 0 else { return }
        moments.merge(o.moments)
        min = Swift.min(min, o.min)
        max = Swift.max(max, o.max)
        if sketch == nil && o.sketch == nil {
            exact.merge(o.exact)
            if exact.distinct > limits.exactValues { switchToSketch() }
            return
        }
        if sketch == nil { switchToSketch() }
        if let os = o.sketch {
            sketch!.merge(os)
            distinctSketch!.merge(o.distinctSketch!)
        } else {
            o.exact.forEach { v, n in
                sketch!.add(v, n)
                distinctSketch!.add(hash: HyperLogLog.hash(v))
            }
        }
    }

    /// The distribution as ascending values with counts: exact, or the sketch's bin representatives.
    var distribution: (values: [Double], counts: [Int64]) {
        sketch?.sorted() ?? exact.sorted()
    }

    var allocatedBytes: Int {
        exact.allocatedBytes + (sketch?.allocatedBytes ?? 0) + (distinctSketch == nil ? 0 : HyperLogLog.allocatedBytes)
    }
}
