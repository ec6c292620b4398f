import Testing
import VigilCore

struct WilsonIntervalTests {
    /// Reference values computed independently in Python from the Wilson closed form with
    /// z = scipy.stats.norm.ppf(0.975).
    @Test(arguments: [
        (81, 263, 0.2552885198782742, 0.36620957698280004),
        (0, 10, 0.0, 0.2775327998628892),
        (10, 10, 0.7224672001371107, 1.0),
        (5748, 7110, 0.7991259641464616, 0.8174185604101898),
    ])
    func matchesReference(k: Int64, n: Int64, lower: Double, upper: Double) {
        let v = MetricValue.proportion(k, of: n)
        expectClose(v.lower, lower, relative: 1e-12, "lower \(k)/\(n)")
        expectClose(v.upper, upper, relative: 1e-12, "upper \(k)/\(n)")
    }

    @Test func emptySampleHasNoValue() {
        #expect(MetricValue.proportion(0, of: 0).value == nil)
    }
}
