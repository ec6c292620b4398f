/// A column's drift as Evidently 0.7 computes it (``DriftConvention/evidently``).
extension ColumnDriftAnalysis {
    /// A numeric column: binned on Sturges edges when its reference has more than 20 distinct values,
    /// otherwise compared value by value (as Evidently does, like a categorical column).
    func numericAsEvidently(_ d: inout ColumnDrift) {
        let (r, c) = distributions(&d)
        guard r.count > 0, c.count > 0 else { return }
        let rb: [Int64]
        let cb: [Int64]
        if r.values.count > EvidentlyStatistics.binnedAbove {
            let edges = EvidentlyStatistics.sturgesEdges(
                low: Swift.min(r.values[0], c.values[0]), high: Swift.max(r.values.last!, c.values.last!),
                n: r.count + c.count)
            (rb, cb) = (EvidentlyStatistics.histogram(r, edges: edges), EvidentlyStatistics.histogram(c, edges: edges))
            d.binEdges = edges
        } else {
            let values = Set(r.values).union(c.values).sorted()
            (rb, cb) = (values.map { r.count(of: $0) }, values.map { c.count(of: $0) })
            d.binValues = values
            goodnessOfFit(&d, rb, cb)
        }
        d.referenceBinCounts = rb
        d.currentBinCounts = cb
        d.psi = EvidentlyStatistics.psi(reference: rb, current: cb)
        d.jsDistance = EvidentlyStatistics.jensenShannon(reference: rb, current: cb)
        kolmogorovSmirnov(&d, r, c)
        d.wasserstein = EvidentlyStatistics.normalizedWasserstein(r, c)
    }

    func categoricalAsEvidently(_ d: inout ColumnDrift) {
        guard let (r, c) = categoryCounts(&d) else { return }
        d.psi = EvidentlyStatistics.psi(reference: r, current: c)
        d.jsDistance = EvidentlyStatistics.jensenShannon(reference: r, current: c)
        goodnessOfFit(&d, r, c)
    }

    private func goodnessOfFit(_ d: inout ColumnDrift, _ r: [Int64], _ c: [Int64]) {
        let chi = EvidentlyStatistics.chiSquareGoodnessOfFit(reference: r, current: c)
        d.chi2Statistic = chi.statistic
        d.chi2Dof = chi.dof
        d.chi2PValue = chi.pValue
        if r.count <= 2 { d.zPValue = EvidentlyStatistics.zTest(reference: r, current: c) }
    }

    /// Evidently's automatic test for a column without a drift rule: on a reference of at most 1,000 values,
    /// KS for a numeric column of more than 5 distinct values, otherwise chi-square (more than 2 values) or the
    /// z-test; on a larger reference, normalized Wasserstein for a numeric column of more than 5 values,
    /// otherwise Jensen–Shannon. p-values drift below 0.05, distances at or above 0.1, on any sample size.
    static func evidentlyDefault(type: ColumnType, _ d: ColumnDrift) -> DriftThreshold {
        let distinct = (d.binValues?.count ?? d.categories?.count) ?? (d.binEdges == nil ? 0 : Int.max)
        let manyValues = type == .numeric && distinct > 5
        if d.referenceCount <= 1000 {
            if manyValues { return DriftThreshold(statistic: .ksPValue, threshold: 0.05, minSamples: 1) }
            return DriftThreshold(statistic: distinct > 2 ? .chi2PValue : .zPValue, threshold: 0.05, minSamples: 1)
        }
        return DriftThreshold(statistic: manyValues ? .wasserstein : .jsDistance, threshold: 0.1, minSamples: 1)
    }
}
