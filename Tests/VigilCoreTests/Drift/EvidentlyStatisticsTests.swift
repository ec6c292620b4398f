import Testing

@testable import VigilCore

/// Evidently's drift statistics on samples the taxi fixture does not reach (a category rarer than 10⁻⁴, one the
/// reference never saw, empty Sturges bins, a two-valued column). Each expected number was computed by
/// Evidently 0.7.23 itself (`evidently.legacy.calculations.stattests`: `_psi`, `_jensenshannon`,
/// `_chi_stat_test`, `_z_stat_test`, `_wasserstein_distance_norm`) on the same samples.
struct EvidentlyStatisticsTests {
    /// Categories a, b, new, rare (sorted): the reference has `rare` once in 20,000 rows, the current has
    /// `new` twice and no `rare`; empty shares are floored at the smallest share / 10⁶.
    let reference: [Int64] = [12_000, 7_999, 0, 1]
    let current: [Int64] = [2_000, 2_998, 2, 0]

    @Test func aCategoryRarerThanOneInTenThousandSetsTheFloor() {
        #expect(EvidentlyStatistics.flooredShares(reference)[2] == 1.0 / 20_000 / 1e6)
        #expect(abs(EvidentlyStatistics.psi(reference: reference, current: current) - 0.16832858128306644) < 1e-12)
        #expect(
            abs(EvidentlyStatistics.jensenShannon(reference: reference, current: current) - 0.14233974692683346)
                < 1e-12)
    }

    @Test func chiSquareIsGoodnessOfFitToTheReferencesProportions() {
        // A category the reference never saw: an expected count of 0, so p = 0.
        #expect(EvidentlyStatistics.chiSquareGoodnessOfFit(reference: reference, current: current).pValue == 0)
        let chi = EvidentlyStatistics.chiSquareGoodnessOfFit(
            reference: [12_000, 7_999, 1], current: [2_000, 2_999, 1])
        #expect(chi.dof == 2)
        #expect(abs(chi.pValue / 5.065599995372815e-182 - 1) < 1e-9)
    }

    @Test func twoValuedColumnsGetTheZTest() {
        #expect(
            abs(EvidentlyStatistics.zTest(reference: [700, 300], current: [380, 220]) - 0.005845444792130339) < 1e-12)
        #expect(EvidentlyStatistics.zTest(reference: [10, 0], current: [20, 0]) == 1)
    }

    /// 3,000 reference values `(7919·i mod 1000)/10` and 1,000 current ones `(104729·i mod 1300)/10 + 5`:
    /// 13 Sturges bins, the last three empty in the reference.
    @Test func numericColumnsAreBinnedOnSturgesEdgesOfBothSamples() {
        let r = Self.distribution((0..<3000).map { Double($0 * 7919 % 1000) / 10 })
        let c = Self.distribution((0..<1000).map { Double($0 * 104_729 % 1300) / 10 + 5 })
        let edges = EvidentlyStatistics.sturgesEdges(low: 0, high: 134.9, n: 4000)
        #expect(edges.count == 14 && edges[1] == 10.376923076923077 && edges[2] == 20.753846153846155)
        #expect(edges.last == 134.9)
        let rb = EvidentlyStatistics.histogram(r, edges: edges)
        let cb = EvidentlyStatistics.histogram(c, edges: edges)
        #expect(rb == [312, 312, 312, 312, 309, 312, 312, 312, 309, 198, 0, 0, 0])
        #expect(cb == [42, 80, 80, 80, 79, 80, 79, 81, 80, 80, 79, 80, 80])
        #expect(abs(EvidentlyStatistics.psi(reference: rb, current: cb) - 1.7035223864570819) < 1e-12)
        #expect(abs(EvidentlyStatistics.jensenShannon(reference: rb, current: cb) - 0.31015120772536586) < 1e-12)
        #expect(abs(EvidentlyStatistics.normalizedWasserstein(r, c) - 0.6910886177643772) < 1e-12)
    }

    static func distribution(_ values: [Double]) -> EmpiricalDistribution {
        let counts = Dictionary(values.map { ($0, Int64(1)) }, uniquingKeysWith: +)
        let sorted = counts.keys.sorted()
        return EmpiricalDistribution(values: sorted, counts: sorted.map { counts[$0]! })
    }
}
