import Foundation
import Testing

@testable import VigilCore

/// The DDSketch's dense bins: each value in the bin `⌈log_γ |v|⌉` computed here independently, the same bins
/// whatever order the values came in, the stored form unchanged, and a bounded span.
struct QuantileSketchTests {
    static let gamma = 1.01 / 0.99

    static func values(_ n: Int, seed: UInt64) -> [Double] {
        var random = SplitMix64(seed: seed)
        return (0..<n).map { _ in
            let magnitude = Foundation.pow(10, -3 + 6 * Double.random(in: 0..<1, using: &random))  // 0.001 to 1000
            return Double.random(in: 0..<1, using: &random) < 0.3 ? -magnitude : magnitude
        }
    }

    @Test func binsAreTheLogGammaCeilingsOfTheValues() {
        let values = Self.values(20_000, seed: 5) + [0, 0, 1e-13]
        var sketch = QuantileSketch()
        for v in values { sketch.add(v) }
        var expected: [Double: Int64] = [:]
        for v in values {
            let key: Double
            if abs(v) < 1e-12 {
                key = 0
            } else {
                let i = Foundation.ceil(Foundation.log(abs(v)) / Foundation.log(Self.gamma))
                key = (v < 0 ? -1 : 1) * 2 * Foundation.pow(Self.gamma, i) / (Self.gamma + 1)
            }
            expected[key, default: 0] += 1
        }
        let sorted = sketch.sorted()
        #expect(sorted.values == sorted.values.sorted())
        #expect(sorted.values.count == expected.count)
        for (v, n) in zip(sorted.values, sorted.counts) {
            let match = expected.first { abs($0.key - v) <= 1e-12 * max(1, abs(v)) }
            #expect(match?.value == n, "bin \(v)")
        }
        #expect(sketch.count == Int64(values.count) && sketch.zeros == 3)
    }

    @Test func orderMergeAndStoredFormDoNotChangeTheSketch() throws {
        let values = Self.values(5_000, seed: 9)
        var forward = QuantileSketch()
        for v in values { forward.add(v) }
        var halves = QuantileSketch()
        var other = QuantileSketch()
        for v in values.reversed().prefix(2_500) { halves.add(v) }
        for v in values.reversed().dropFirst(2_500) { other.add(v) }
        halves.merge(other)
        #expect(halves == forward)
        let data = try JSONEncoder().encode(forward)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["positive", "negative", "zeros", "count"])
        #expect(try JSONDecoder().decode(QuantileSketch.self, from: data) == forward)
    }

    @Test func theSpanStaysBoundedAndTheLargestBinsExact() {
        var sketch = QuantileSketch()
        for e in stride(from: -12.0, through: 30.0, by: 0.01) { sketch.add(Foundation.pow(10, e)) }
        #expect(sketch.positive.span <= QuantileSketch.maxBins)
        let sorted = sketch.sorted()
        #expect(sorted.counts.reduce(0, +) == 4_201)
        // The top of the range keeps its 1 % accuracy; only the bins nearest zero were folded.
        guard let top = sorted.values.last else { Issue.record("empty sketch"); return }
        #expect(abs(top - 1e30) / 1e30 <= 0.01)
    }
}
