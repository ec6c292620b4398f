/// Count, score sum and label sum in ten equal-width score bins, for expected calibration error.
struct CalibrationBins: Sendable, Hashable {
    static let count = 10
    /// Per bin: rows, Σ score, Σ label (flattened, 3 per bin); empty until the first row.
    var sums: [Double] = []

    @inline(__always)
    static func bin(_ score: Double) -> Int { Swift.min(Int(score * Double(count)), count - 1) }

    mutating func add(bin: Int, score: Double, label: Double, _ sign: Double) {
        if sums.isEmpty { sums = [Double](repeating: 0, count: Self.count * 3) }
        let b = bin * 3
        sums[b] += sign
        sums[b + 1] += sign * score
        sums[b + 2] += sign * label
    }

    mutating func merge(_ other: CalibrationBins) {
        guard !other.sums.isEmpty else { return }
        if sums.isEmpty {
            sums = other.sums
            return
        }
        for i in sums.indices { sums[i] += other.sums[i] }
    }

    /// ECE = Σ_b (n_b / n) · |mean label_b − mean score_b|; `nil` with no rows.
    var expectedCalibrationError: Double? {
        guard !sums.isEmpty else { return nil }
        var n = 0.0
        var weighted = 0.0
        for b in 0..<Self.count {
            let rows = sums[b * 3]
            guard rows > 0 else { continue }
            n += rows
            weighted += abs(sums[b * 3 + 2] - sums[b * 3 + 1])
        }
        return n > 0 ? weighted / n : nil
    }
}
