/// Computes one column's ``ColumnDrift`` from its reference and current profiles.
struct ColumnDriftAnalysis {
    var name: String
    var reference: ColumnProfile?
    var referenceRows: Int64
    var current: ColumnProfile?
    var currentRows: Int64
    var rule: ColumnRule?
    var convention = DriftConvention.vigil

    func result() -> ColumnDrift {
        let type = rule?.type ?? reference?.majorityType ?? current?.majorityType ?? .numeric
        var d = ColumnDrift(
            column: name, type: type, verdict: .ok, threshold: .default, approximate: false,
            referenceCount: 0, currentCount: 0)
        if referenceRows > 0, reference != nil {
            d.referenceMissingFraction = Double(referenceRows - (reference?.present ?? 0)) / Double(referenceRows)
        }
        if currentRows > 0, current != nil || reference != nil {
            d.currentMissingFraction = Double(currentRows - (current?.present ?? 0)) / Double(currentRows)
        }
        switch (type, convention) {
        case (.numeric, .vigil): numeric(&d)
        case (.categorical, .vigil): categorical(&d)
        case (.numeric, .evidently): numericAsEvidently(&d)
        case (.categorical, .evidently): categoricalAsEvidently(&d)
        }
        d.threshold = threshold(type: type, d)
        decide(&d)
        return d
    }

    /// The rule's threshold if it has one for this type; otherwise the convention's default.
    private func threshold(type: ColumnType, _ d: ColumnDrift) -> DriftThreshold {
        if let rule = rule?.drift, rule.statistic.applies(to: type) { return rule }
        switch convention {
        case .vigil: return .default
        case .evidently: return Self.evidentlyDefault(type: type, d)
        }
    }

    /// The reference and current distributions of a numeric column, with their counts and quantiles noted.
    func distributions(_ d: inout ColumnDrift) -> (EmpiricalDistribution, EmpiricalDistribution) {
        let r = EmpiricalDistribution(reference?.numeric ?? NumericProfile())
        let c = EmpiricalDistribution(current?.numeric ?? NumericProfile())
        d.referenceCount = r.count
        d.currentCount = c.count
        d.approximate = !r.isExact || !c.isExact
        d.referenceQuantiles = Quantiles(r)
        d.currentQuantiles = Quantiles(c)
        return (r, c)
    }

    private func numeric(_ d: inout ColumnDrift) {
        let (r, c) = distributions(&d)
        guard r.count > 0, c.count > 0 else { return }
        var edges: [Double] = []
        for k in 1...9 {
            let q = r.quantile(Double(k) / 10)!
            if edges.last.map({ $0 < q }) ?? true { edges.append(q) }
        }
        let binCounts = { (x: EmpiricalDistribution) -> [Int64] in
            var counts: [Int64] = []
            var below: Int64 = 0
            for e in edges {
                let atOrBelow = x.countAtOrBelow(e)
                counts.append(atOrBelow - below)
                below = atOrBelow
            }
            counts.append(x.count - below)
            return counts
        }
        let rb = binCounts(r)
        let cb = binCounts(c)
        d.binEdges = edges
        d.referenceBinCounts = rb
        d.currentBinCounts = cb
        d.psi = DriftStatistics.psi(reference: rb, current: cb)
        d.jsDistance = DriftStatistics.jensenShannon(reference: rb, current: cb, base: 2)
        kolmogorovSmirnov(&d, r, c)
        d.wasserstein = DriftStatistics.wasserstein(r, c)
    }

    func kolmogorovSmirnov(_ d: inout ColumnDrift, _ r: EmpiricalDistribution, _ c: EmpiricalDistribution) {
        // A sketched column knows each value only to its bin (1 % wide). Against exact values its bin
        // representatives misplace up to a bin's mass, which moved KS by 0.005–0.02 on 10⁶ rows; with both
        // sides in the same bins the CDFs are compared at the bins' edges, where both are exact.
        let (kr, kc) = r.isExact && c.isExact ? (r, c) : (r.binnedLikeSketch(), c.binnedLikeSketch())
        let ks = DriftStatistics.kolmogorovSmirnov(kr, kc)
        d.ksStatistic = ks.statistic
        let (p, method) = KolmogorovSmirnovTest.pValue(statistic: ks.statistic, h: ks.h, n: r.count, m: c.count)
        d.ksPValue = p
        d.ksPValueMethod = method
    }

    /// The sorted union of categories with each sample's counts (`nil` when either sample is empty).
    func categoryCounts(_ d: inout ColumnDrift) -> (r: [Int64], c: [Int64])? {
        let rc = reference?.categorical.counts ?? [:]
        let cc = current?.categorical.counts ?? [:]
        d.referenceCount = reference?.categorical.count ?? 0
        d.currentCount = current?.categorical.count ?? 0
        d.approximate = !(reference?.categorical.isExact ?? true) || !(current?.categorical.isExact ?? true)
        let categories = Set(rc.keys).union(cc.keys).sorted()
        d.categories = categories
        d.unseenCategories = categories.filter { rc[$0] == nil }
        d.missingCategories = categories.filter { cc[$0] == nil }
        guard d.referenceCount > 0, d.currentCount > 0 else { return nil }
        let r = categories.map { rc[$0] ?? 0 }
        let c = categories.map { cc[$0] ?? 0 }
        d.referenceCounts = r
        d.currentCounts = c
        return (r, c)
    }

    private func categorical(_ d: inout ColumnDrift) {
        guard let (r, c) = categoryCounts(&d) else { return }
        d.psi = DriftStatistics.psi(reference: r, current: c)
        d.jsDistance = DriftStatistics.jensenShannon(reference: r, current: c, base: 2)
        let chi = ChiSquareTest.test(reference: r, current: c)
        d.chi2Statistic = chi.statistic
        d.chi2Dof = chi.dof
        d.chi2PValue = chi.pValue
    }

    private func decide(_ d: inout ColumnDrift) {
        guard d.referenceCount > 0 else {
            d.verdict = d.currentCount > 0 ? .notInReference : .insufficientData
            return
        }
        guard d.currentCount > 0 else {
            d.verdict = .missingInCurrent
            return
        }
        let value = d.statistic(d.threshold.statistic)
        d.value = value
        d.severity = value.map { d.threshold.severity($0) }
        guard d.currentCount >= d.threshold.minSamples else {
            d.verdict = .insufficientData
            return
        }
        d.verdict = value.map { d.threshold.drifted($0) } == true ? .drift : .ok
    }
}
