/// The state of custom-metric accumulators in one bucket: per accumulator Σ value and rows, and
/// for `min`/`max` a count per distinct value so that a correction can remove the extreme.
struct CustomSums: Sendable, Hashable, Codable {
    /// Two slots per accumulator: Σ value, number of non-null rows.
    var sums: [Double] = []
    /// For min/max accumulators only: value → count.
    var extremes: [Int: [Double: Int64]] = [:]

    mutating func apply(_ accumulator: Int, _ spec: AccumulatorSpec, _ value: Double, _ delta: Int64) {
        if sums.count <= accumulator * 2 + 1 {
            sums.append(contentsOf: repeatElement(0, count: accumulator * 2 + 2 - sums.count))
        }
        sums[accumulator * 2] += Double(delta) * value
        sums[accumulator * 2 + 1] += Double(delta)
        if spec.kind == .min || spec.kind == .max {
            extremes[accumulator, default: [:]][value, default: 0] += delta
            if extremes[accumulator]?[value] == 0 { extremes[accumulator]?[value] = nil }
        }
    }

    mutating func merge(_ other: CustomSums) {
        if sums.count < other.sums.count {
            sums.append(contentsOf: repeatElement(0, count: other.sums.count - sums.count))
        }
        for i in other.sums.indices { sums[i] += other.sums[i] }
        for (acc, counts) in other.extremes {
            extremes[acc, default: [:]].merge(counts, uniquingKeysWith: +)
        }
    }

    /// The accumulator's value: `nil` for an empty mean, min or max.
    func value(_ accumulator: Int, _ spec: AccumulatorSpec) -> Double? {
        let sum = accumulator * 2 < sums.count ? sums[accumulator * 2] : 0
        let rows = accumulator * 2 + 1 < sums.count ? sums[accumulator * 2 + 1] : 0
        switch spec.kind {
        case .sum: return sum
        case .count: return rows
        case .mean: return rows > 0 ? sum / rows : nil
        case .min: return extremes[accumulator]?.filter { $0.value > 0 }.keys.min()
        case .max: return extremes[accumulator]?.filter { $0.value > 0 }.keys.max()
        }
    }

    /// Rows counted by the accumulator (its sample size).
    func rows(_ accumulator: Int) -> Int64 {
        accumulator * 2 + 1 < sums.count ? Int64(sums[accumulator * 2 + 1]) : 0
    }
}
