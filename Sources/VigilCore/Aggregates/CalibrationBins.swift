/// Count, score sum and label sum in ten equal-width score bins, for expected calibration error.
///
/// Stored inline (a `SIMD32<Double>`, 30 lanes used) so that updating it costs no pointer chase
/// and merging is a vector add.
struct CalibrationBins: Sendable, Hashable, Codable {
    static let count = 10
    /// Per bin `b`: rows at `3b`, Σ score at `3b + 1`, Σ label at `3b + 2`.
    var sums = SIMD32<Double>()

    @inline(__always)
    static func bin(_ score: Double) -> Int { Swift.min(Int(score * Double(count)), count - 1) }

    @inline(__always)
    mutating func add(bin: Int, score: Double, label: Double, _ sign: Double) {
        // Through a pointer: a dynamic lane subscript on a 256-byte vector can spill all of it.
        withUnsafeMutableBytes(of: &sums) { raw in
            let lanes = raw.bindMemory(to: Double.self)
            let b = bin * 3
            lanes[b] += sign
            lanes[b + 1] += sign * score
            lanes[b + 2] += sign * label
        }
    }

    mutating func merge(_ other: CalibrationBins) { sums += other.sums }

    /// ECE = Σ_b (n_b / n) · |mean label_b − mean score_b|; `nil` with no rows.
    var expectedCalibrationError: Double? {
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
