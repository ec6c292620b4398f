import Foundation

/// Tests every slice against the rest of the traffic and controls the false discovery rate.
///
/// For a slice with `g` good events of `n` and the rest with `g'` of `n'`, the pooled two-proportion z is
/// `(g/n − g'/n') / √(p̂(1 − p̂)(1/n + 1/n'))` with `p̂ = (g + g')/(n + n')`; the p-value is one-sided,
/// `Φ(z)`, since only slices worse than the rest are looked for. The p-values of all tested slices are
/// adjusted by Benjamini–Hochberg, `q₍ᵢ₎ = minⱼ≥ᵢ p₍ⱼ₎·m/j`, and a slice is a discovery when `q ≤ fdr`.
struct SliceFinder {
    var metric: SliceMetric
    var minSize: Int64
    var fdr: Double

    /// Findings for every slice of `counts` with at least `minSize`, ranked; `name` describes a slice.
    func findings(
        _ counts: [SliceKey: SliceCounts], baseline: [SliceKey: SliceCounts]?,
        name: (SliceKey) -> [SliceCondition]
    ) -> [SliceReport.Finding] {
        let total = counts[.total] ?? SliceCounts()
        let (good, n) = metric.outcomes(total)
        let bad = n - good
        var found: [SliceReport.Finding] = []
        for (key, c) in counts where key != .total {
            let (g, k) = metric.outcomes(c)
            guard k >= minSize, n - k > 0 else { continue }
            let conditions = name(key)
            var finding = SliceReport.Finding(
                slice: conditions.map(\.description).joined(separator: " & "), conditions: conditions,
                predictions: c.predictions, metric: .proportion(g, of: k), rest: .proportion(good - g, of: n - k),
                difference: nil, z: nil, pValue: 1, qValue: 1, discovered: false, badEvents: k - g, impact: 0)
            let z = Self.z(good: g, n: k, restGood: good - g, restN: n - k)
            finding.difference = Double(g) / Double(k) - Double(good - g) / Double(n - k)
            finding.z = z
            if let z { finding.pValue = Normal.cdf(z) }
            if let d = finding.difference, d < 0, bad > 0 { finding.impact = -d * Double(k) / Double(bad) }
            if let b = baseline?[key] {
                let (bg, bn) = metric.outcomes(b)
                finding.baseline = .proportion(bg, of: bn)
                if bn > 0 { finding.baselineDifference = Double(g) / Double(k) - Double(bg) / Double(bn) }
            }
            found.append(finding)
        }
        Self.adjust(&found, fdr: fdr)
        return found.sorted(by: Self.rankedBefore)
    }

    /// The pooled two-proportion z statistic; `nil` when every event is good or every one bad.
    static func z(good: Int64, n: Int64, restGood: Int64, restN: Int64) -> Double? {
        let pooled = Double(good + restGood) / Double(n + restN)
        let variance = pooled * (1 - pooled) * (1 / Double(n) + 1 / Double(restN))
        guard variance > 0 else { return nil }
        return (Double(good) / Double(n) - Double(restGood) / Double(restN)) / variance.squareRoot()
    }

    /// Benjamini–Hochberg: sets each finding's adjusted p-value and whether it is a discovery.
    static func adjust(_ findings: inout [SliceReport.Finding], fdr: Double) {
        for (i, q) in qValues(findings.map(\.pValue)).enumerated() {
            findings[i].qValue = q
            findings[i].discovered = q <= fdr
        }
    }

    /// Benjamini–Hochberg adjusted p-values, `q₍ᵢ₎ = minⱼ≥ᵢ p₍ⱼ₎·m/j`, in the order of `p`.
    static func qValues(_ p: [Double]) -> [Double] {
        var q = p
        var running = 1.0
        for (rank, i) in p.indices.sorted(by: { p[$0] < p[$1] }).enumerated().reversed() {
            running = min(running, p[i] * Double(p.count) / Double(rank + 1))
            q[i] = running
        }
        return q
    }

    /// Discoveries first, largest shortfall first; then by p-value; ties by name, so the order is stable.
    static func rankedBefore(_ a: SliceReport.Finding, _ b: SliceReport.Finding) -> Bool {
        if a.discovered != b.discovered { return a.discovered }
        if a.discovered, a.difference != b.difference { return (a.difference ?? 0) < (b.difference ?? 0) }
        if a.pValue != b.pValue { return a.pValue < b.pValue }
        return a.slice < b.slice
    }
}
