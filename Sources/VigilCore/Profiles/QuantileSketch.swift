import Foundation

/// A DDSketch (Masson, Rim & Lee, VLDB 2019): a mergeable quantile sketch with *relative* accuracy.
///
/// Every value `v` is counted in the bin `⌈log_γ |v|⌉`, with `γ = (1 + α)/(1 − α)`, and reported as the bin's
/// representative `2γ^i/(γ + 1)`, which is within `α·|v|` of `v`. So any quantile read from the sketch is
/// within relative error `α` of the true quantile (`α = 1%` here). Merging adds bin counts, which is exact
/// and order-independent. At most ``maxBins`` bins are spanned per sign; past that the bins nearest zero are
/// collapsed into one (those values lose the guarantee, which needs a value range beyond 10^±8 to happen).
struct QuantileSketch: Sendable, Hashable {
    static let relativeAccuracy = 0.01
    static let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    static let logGamma = Foundation.log(gamma)
    static let maxBins = 2048
    /// Values closer to zero than this count as zero.
    static let minMagnitude = 1e-12

    private(set) var positive = SketchBins()
    private(set) var negative = SketchBins()
    private(set) var zeros: Int64 = 0
    private(set) var count: Int64 = 0

    @inline(__always)
    static func index(_ magnitude: Double) -> Int32 {
        Int32(Foundation.ceil(Foundation.log(magnitude) / logGamma))
    }

    static func representative(_ index: Int32) -> Double {
        2 * Foundation.pow(gamma, Double(index)) / (gamma + 1)
    }

    @inline(__always)
    mutating func add(_ v: Double, _ n: Int64 = 1) {
        count += n
        if Swift.abs(v) < Self.minMagnitude {
            zeros += n
        } else if v > 0 {
            positive.add(Self.index(v), n)
            if positive.span > Self.maxBins { positive.collapse(to: Self.maxBins) }
        } else {
            negative.add(Self.index(-v), n)
            if negative.span > Self.maxBins { negative.collapse(to: Self.maxBins) }
        }
    }

    mutating func merge(_ o: QuantileSketch) {
        count += o.count
        zeros += o.zeros
        o.positive.forEach { positive.add($0, $1) }
        o.negative.forEach { negative.add($0, $1) }
        if positive.span > Self.maxBins { positive.collapse(to: Self.maxBins) }
        if negative.span > Self.maxBins { negative.collapse(to: Self.maxBins) }
    }

    /// The sketch's values (bin representatives) in ascending order with their counts.
    func sorted() -> (values: [Double], counts: [Int64]) {
        var values: [Double] = []
        var counts: [Int64] = []
        var below: [(Int32, Int64)] = []
        negative.forEach { below.append(($0, $1)) }
        for (k, n) in below.reversed() {
            values.append(-Self.representative(k))
            counts.append(n)
        }
        if zeros > 0 {
            values.append(0)
            counts.append(zeros)
        }
        positive.forEach { k, n in
            values.append(Self.representative(k))
            counts.append(n)
        }
        return (values, counts)
    }

    var allocatedBytes: Int { positive.allocatedBytes + negative.allocatedBytes }
}

extension QuantileSketch: Codable {
    // Stored as before the bins were dense: the non-empty bins by index, so snapshots read either way.
    private enum CodingKeys: String, CodingKey { case positive, negative, zeros, count }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        zeros = try c.decode(Int64.self, forKey: .zeros)
        count = try c.decode(Int64.self, forKey: .count)
        for (k, n) in try c.decode([Int32: Int64].self, forKey: .positive).sorted(by: { $0.key < $1.key }) {
            positive.add(k, n)
        }
        for (k, n) in try c.decode([Int32: Int64].self, forKey: .negative).sorted(by: { $0.key < $1.key }) {
            negative.add(k, n)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(positive.dictionary, forKey: .positive)
        try c.encode(negative.dictionary, forKey: .negative)
        try c.encode(zeros, forKey: .zeros)
        try c.encode(count, forKey: .count)
    }
}
