import Foundation

/// A mergeable quantile sketch of label lags (seconds), with relative error ≤ 1 %.
///
/// The DDSketch construction: a value `x > 0` falls in bucket `⌈log_γ x⌉` with
/// `γ = (1 + α)/(1 − α)`, `α = 0.01`, and a quantile is answered by its bucket's midpoint
/// `2γ^i/(γ + 1)`, which is within `α·x` of every value in the bucket. Lags under one
/// millisecond go to a zero bucket. Buckets are counts, so sketches merge by adding.
public struct LagSketch: Sendable, Hashable, Codable {
    static let relativeAccuracy = 0.01
    static let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    static let logGamma = Foundation.log(gamma)
    static let zeroKey = Int32.min

    var buckets = SparseCounts()

    public init() {}

    mutating func add(seconds: Double, _ delta: Int64 = 1) {
        buckets.add(Self.key(seconds), delta)
    }

    mutating func add(key: Int32, _ delta: Int64 = 1) {
        buckets.add(key, delta)
    }

    static func key(_ seconds: Double) -> Int32 {
        seconds < 0.001 ? zeroKey : Int32((Foundation.log(seconds) / logGamma).rounded(.up))
    }

    mutating func merge(_ other: LagSketch) { buckets.merge(other.buckets) }

    public var count: Int64 { buckets.total }

    /// Builds a sketch from bucket counts (used to merge many sketches at once).
    init(counts: [Int32: Int64]) {
        for (k, c) in counts.sorted(by: { $0.key < $1.key }) where c != 0 { buckets.add(k, c) }
    }

    /// Adds this sketch's counts to `counts`.
    func addCounts(into counts: inout [Int32: Int64]) {
        for (k, c) in zip(buckets.keys, buckets.counts) { counts[k, default: 0] += c }
    }

    /// The value at quantile `q` in [0, 1] (lower rank convention, like `numpy.quantile(method="lower")`), within 1 %.
    public func quantile(_ q: Double) -> Double? {
        let n = count
        guard n > 0 else { return nil }
        let rank = Int64((q * Double(n - 1)).rounded(.down))
        var seen: Int64 = 0
        for (k, c) in zip(buckets.keys, buckets.counts) {
            seen += c
            if seen > rank {
                return k == Self.zeroKey ? 0 : 2 * pow(Self.gamma, Double(k)) / (Self.gamma + 1)
            }
        }
        return nil
    }
}
