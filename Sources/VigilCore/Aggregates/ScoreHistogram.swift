/// Labeled scores binned at 1e-4 resolution, per true class: enough for ROC AUC.
///
/// Bin `k` holds scores in `[(k − ½)·10⁻⁴, (k + ½)·10⁻⁴)`, so scores written with up to four
/// decimals each get their own bin and AUC is exact for them. For other scores, AUC errs only
/// through pairs of a positive and a negative that share a bin (counted as ties, half a pair),
/// which is at most ½·Σ_b pos_b·neg_b / (P·N): below 1e-3 unless a large share of both classes
/// falls within one 1e-4-wide bin.
struct ScoreHistogram: Sendable, Hashable {
    static let binsPerUnit = 10_000.0
    static let binCount = 10_001

    var positives = SparseCounts()
    var negatives = SparseCounts()

    @inline(__always)
    static func bin(_ score: Double) -> Int32 { Int32((score * binsPerUnit).rounded()) }

    mutating func add(score: Double, label: Double, _ delta: Int64) {
        if label >= 0.5 {
            positives.add(Self.bin(score), delta)
        } else {
            negatives.add(Self.bin(score), delta)
        }
    }

    mutating func merge(_ other: ScoreHistogram) {
        positives.merge(other.positives)
        negatives.merge(other.negatives)
    }

    var allocatedBytes: Int { positives.allocatedBytes + negatives.allocatedBytes }
}

/// Dense per-bin sums of many histograms, for answering AUC over a window in one pass.
struct DenseScoreHistogram {
    var positives = [Int64](repeating: 0, count: ScoreHistogram.binCount)
    var negatives = [Int64](repeating: 0, count: ScoreHistogram.binCount)

    mutating func add(_ h: ScoreHistogram) {
        for (k, c) in zip(h.positives.keys, h.positives.counts) { positives[Int(k)] += c }
        for (k, c) in zip(h.negatives.keys, h.negatives.counts) { negatives[Int(k)] += c }
    }

    /// Mann–Whitney U / (P·N), ties (same bin) counting one half; `nil` with only one class.
    var rocAUC: Double? {
        var negativesBelow = 0.0
        var pairs = 0.0
        var p = 0.0
        for k in 0..<ScoreHistogram.binCount {
            let pos = Double(positives[k])
            let neg = Double(negatives[k])
            pairs += pos * (negativesBelow + neg / 2)
            negativesBelow += neg
            p += pos
        }
        guard p > 0, negativesBelow > 0 else { return nil }
        return pairs / (p * negativesBelow)
    }
}
