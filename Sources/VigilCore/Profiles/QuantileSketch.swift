import Foundation

/// A DDSketch (Masson, Rim & Lee, VLDB 2019): a mergeable quantile sketch with *relative* accuracy.
///
/// Every value `v` is counted in the bin `⌈log_γ |v|⌉`, with `γ = (1 + α)/(1 − α)`, and reported as the bin's
/// representative `2γ^i/(γ + 1)`, which is within `α·|v|` of `v`. So any quantile read from the sketch is
/// within relative error `α` of the true quantile (`α = 1%` here). Merging adds bin counts, which is exact
/// and order-independent. At most ``maxBins`` bins are kept per sign; past that the bins nearest zero are
/// collapsed into one (those values lose the guarantee, which needs a value range beyond 10^±8 to happen).
struct QuantileSketch: Sendable, Hashable, Codable {
    static let relativeAccuracy = 0.01
    static let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    static let logGamma = Foundation.log(gamma)
    static let maxBins = 2048
    /// Values closer to zero than this count as zero.
    static let minMagnitude = 1e-12

    private(set) var positive: [Int32: Int64] = [:]
    private(set) var negative: [Int32: Int64] = [:]
    private(set) var zeros: Int64 = 0
    private(set) var count: Int64 = 0

    @inline(__always)
    static func index(_ magnitude: Double) -> Int32 {
        Int32(Foundation.ceil(Foundation.log(magnitude) / logGamma))
    }

    static func representative(_ index: Int32) -> Double {
        2 * Foundation.pow(gamma, Double(index)) / (gamma + 1)
    }

    mutating func add(_ v: Double, _ n: Int64 = 1) {
        count += n
        if Swift.abs(v) < Self.minMagnitude {
            zeros += n
        } else if v > 0 {
            positive[Self.index(v), default: 0] += n
            if positive.count > Self.maxBins { Self.collapse(&positive) }
        } else {
            negative[Self.index(-v), default: 0] += n
            if negative.count > Self.maxBins { Self.collapse(&negative) }
        }
    }

    mutating func merge(_ o: QuantileSketch) {
        count += o.count
        zeros += o.zeros
        for (i, n) in o.positive { positive[i, default: 0] += n }
        for (i, n) in o.negative { negative[i, default: 0] += n }
        if positive.count > Self.maxBins { Self.collapse(&positive) }
        if negative.count > Self.maxBins { Self.collapse(&negative) }
    }

    /// Folds the bins nearest zero into one so that `maxBins` remain.
    private static func collapse(_ bins: inout [Int32: Int64]) {
        let keys = bins.keys.sorted()
        let excess = keys.count - maxBins
        guard excess > 0 else { return }
        var folded: Int64 = 0
        for k in keys[..<excess] { folded += bins.removeValue(forKey: k) ?? 0 }
        bins[keys[excess], default: 0] += folded
    }

    /// The sketch's values (bin representatives) in ascending order with their counts.
    func sorted() -> (values: [Double], counts: [Int64]) {
        var values: [Double] = []
        var counts: [Int64] = []
        for k in negative.keys.sorted(by: >) {
            values.append(-Self.representative(k))
            counts.append(negative[k]!)
        }
        if zeros > 0 {
            values.append(0)
            counts.append(zeros)
        }
        for k in positive.keys.sorted() {
            values.append(Self.representative(k))
            counts.append(positive[k]!)
        }
        return (values, counts)
    }

    var allocatedBytes: Int { (positive.capacity + negative.capacity) * 16 }
}
