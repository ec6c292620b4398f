import Foundation
import Testing
import VigilCore

/// The comparison statistics against independent computations (statsmodels' Newcombe interval and z-test,
/// numpy/scipy for the Welch interval), the verdict rules, and the always-valid interval under peeking.
struct ComparisonTests {
    /// `confint_proportions_2indep(kc, nc, kb, nb, method="newcomb", compare="diff")` and
    /// `proportions_ztest([kc, kb], [nc, nb])` (statsmodels 0.15.0).
    @Test(arguments: [
        (820, 1000, 7650, 9000, -0.030000000000000027, -0.056045172900733714, -0.006205244721697072, 0.0124162877155359),
        (3, 10, 0, 12, 0.3, -0.009430994163461492, 0.6032218525388546, 0.04118416315538944),
        (50, 50, 95, 100, 0.050000000000000044, -0.026813033387336024, 0.11175046923191922, 0.10779821387740916),
    ] as [(Int64, Int64, Int64, Int64, Double, Double, Double, Double)])
    func proportionsMatchStatsmodels(_ c: (Int64, Int64, Int64, Int64, Double, Double, Double, Double)) throws {
        let d = try #require(DifferenceInterval.proportions(candidate: (c.0, c.1), baseline: (c.2, c.3)))
        expectClose(d.estimate, c.4, relative: 1e-12, "difference")
        expectClose(d.lower, c.5, relative: 1e-10, "lower")
        expectClose(d.upper, c.6, relative: 1e-10, "upper")
        expectClose(d.pValue, c.7, relative: 1e-9, "p-value")
        #expect(d.method == .newcombe)
    }

    @Test func anEmptySampleHasNoInterval() {
        #expect(DifferenceInterval.proportions(candidate: (0, 0), baseline: (5, 10)) == nil)
        #expect(DifferenceInterval.aucs(candidate: (0.8, 10, 0), baseline: (0.7, 5, 5)) == nil)
    }

    /// Errors (prediction − label) of two versions of a regression model (numpy, seed 7, rounded to 3 decimals).
    static let candidateErrors = [
        2.001, 2.299, 1.726, 1.109, 1.545, 1.008, 2.06, 3.34, 1.508, 1.38, 2.49, 2.357, 2.105, 1.07, 1.971, 2.695,
        0.656, 1.542, 0.099, 0.71, 0.158, 1.765, 0.733, 2.271, 2.157, 1.813, -0.517, 1.461, 1.951, 2.113, 0.47,
        1.522, 1.021, 1.191, 3.061, 1.192, 1.967, 2.884, 1.416, 1.888,
    ]
    static let baselineErrors = [
        2.566, 2.496, 0.562, 2.514, 4.438, 0.079, 3.689, 2.579, 1.438, 5.401, 3.543, 0.601, 2.512, 3.265, 2.117,
        3.424, 2.3, 3.401, 4.558, 1.387, 2.705, 1.705, 2.591, 0.619, 1.531, 2.106, 3.748, 4.118, 0.415, 1.208, 3.37,
        -0.589, 1.705, 2.254, 4.286, 3.434, 1.909, 1.847, 2.025, 4.685, 1.758, 1.944, 2.929, 2.219, 2.104, 0.729,
        2.383, 1.735, 4.149, 3.38, 2.364, 3.403, 1.89, 3.978, 2.392, 3.275, 0.464, 2.92, -0.132, -0.653,
    ]

    /// The MAE difference through the engine: `mean|e_c| − mean|e_b|` with the Welch interval from each
    /// sample's variance of |e| (ddof 1) over n, and the normal p-value — computed with numpy and scipy.
    @Test func maeIsComparedWithWelchsInterval() throws {
        let t0 = try Timestamp(iso8601: "2026-11-01T00:00:00Z")
        var predictions: [Prediction] = []
        var feedback: [Feedback] = []
        for (version, errors) in [("v2", Self.candidateErrors), ("v1", Self.baselineErrors)] {
            for (i, e) in errors.enumerated() {
                let id = "\(version)-\(i)"
                predictions.append(
                    Prediction(id: id, time: t0 + Duration.seconds(i), model: "fare", version: version, prediction: .number(10 + e)))
                feedback.append(Feedback(id: id, time: t0 + Duration.seconds(3600 + i), label: .number(10)))
            }
        }
        let engine = try Fixture.engine(predictions, feedback)
        let c = try engine.compare(model: "fare", baseline: "v1", candidate: "v2", margin: 0.1)
        let mae = try #require(c.slices[0].metrics.first { $0.metric == "mae" })
        let d = try #require(mae.difference)
        expectClose(d.estimate, -0.7781333333333331, relative: 1e-9, "difference")
        expectClose(d.lower, -1.1744852030076456, relative: 1e-9, "lower")
        expectClose(d.upper, -0.3817814636590206, relative: 1e-9, "upper")
        expectClose(d.pValue, 0.00011914576300719113, relative: 1e-6, "p-value")
        #expect(d.method == .welch)
        // Lower error is better: the whole interval below 0 means the candidate is better.
        #expect(mae.higherIsBetter == false)
        #expect(mae.verdict == .better)
        #expect(mae.baseline.n == 60 && mae.candidate.n == 40)
    }

    @Test func verdictsFollowTheIntervalAndTheMargin() {
        #expect(ComparisonVerdict.decide(lower: 0.001, upper: 0.02, margin: 0.01) == .better)
        #expect(ComparisonVerdict.decide(lower: -0.009, upper: 0.02, margin: 0.01) == .noWorse)
        #expect(ComparisonVerdict.decide(lower: -0.03, upper: -0.001, margin: 0.01) == .worse)
        #expect(ComparisonVerdict.decide(lower: -0.03, upper: 0.01, margin: 0.01) == .undecided)
        // Estimate −0.005 ± 0.02, margin 0.01: deciding takes a half-width of 0.005 (to clear −0.01, or 0 from
        // below), 4 × narrower, so 16 × the labels: 15,000 more than the 1,000 there are.
        #expect(
            ComparisonVerdict.labelsNeeded(estimate: -0.005, lower: -0.025, upper: 0.015, margin: 0.01, labels: 1000)
                == 15_000)
        #expect(
            ComparisonVerdict.labelsNeeded(estimate: 0.01, lower: 0.001, upper: 0.02, margin: 0.01, labels: 1000) == nil)
    }

    /// At its tuning point the always-valid interval is 1.55 × the fixed one (√(2·8.936/7.936 · log(√8.936/0.05))
    /// / 1.96 for α = 0.05), and it is never narrower.
    @Test func theConfidenceSequenceIsWiderThanTheFixedInterval() {
        let cs = ConfidenceSequence(tunedFor: 10_000)
        let fixed = 1.959963984540054
        let ratio = cs.radius(variance: 1, t: 10_000) / fixed
        expectClose(ratio, 1.5486, relative: 1e-4, "ratio at t*")
        for t in [10, 100, 1_000, 100_000, 10_000_000] as [Int64] {
            #expect(cs.radius(variance: 1, t: t) > fixed, "t = \(t)")
        }
    }

    /// An A/A canary (both versions 85 % accurate, 20 % of labels to the candidate) watched after every 100
    /// labels up to 20,000: the share of canaries ever declared different. The fixed-sample test, re-checked
    /// 200 times, raises far more than 5 % false alarms; the confidence sequence stays within 5 %.
    @Test func peekingAtAnAACanaryKeepsFalseAlarmsWithinFivePercent() {
        var random = SplitMix64(seed: 19)
        let (trials, looks, step) = (400, 200, 100)
        let sequence = ConfidenceSequence(tunedFor: 10_000)
        var alarms = (naive: 0, sequential: 0)
        for _ in 0..<trials {
            var counts = (kc: Int64(0), nc: Int64(0), kb: Int64(0), nb: Int64(0))
            var raised = (naive: false, sequential: false)
            for _ in 0..<looks {
                for _ in 0..<step {
                    let right: Int64 = Double.random(in: 0..<1, using: &random) < 0.85 ? 1 : 0
                    if Double.random(in: 0..<1, using: &random) < 0.2 {
                        counts.kc += right
                        counts.nc += 1
                    } else {
                        counts.kb += right
                        counts.nb += 1
                    }
                }
                guard
                    let d = DifferenceInterval.proportions(
                        candidate: (counts.kc, counts.nc), baseline: (counts.kb, counts.nb))
                else { continue }
                raised.naive = raised.naive || d.lower > 0 || d.upper < 0
                let (lower, upper) = sequence.interval(d, t: counts.nc + counts.nb)
                raised.sequential = raised.sequential || lower > 0 || upper < 0
            }
            alarms.naive += raised.naive ? 1 : 0
            alarms.sequential += raised.sequential ? 1 : 0
        }
        let naive = Double(alarms.naive) / Double(trials)
        let sequential = Double(alarms.sequential) / Double(trials)
        print("A/A canary, \(looks) looks × \(trials) trials: false alarms fixed-sample \(naive), always-valid \(sequential)")
        #expect(sequential <= 0.05, "always-valid false-alarm rate \(sequential)")
        #expect(naive > 0.15, "fixed-sample false-alarm rate \(naive)")
    }
}
