import Testing
import VigilCore

/// The calibration curve on the taxi fixture against numpy: labeled rows binned by `score·10⁴ // 1000`
/// (exact on the fixture's four-decimal scores), latest label winning.
struct CalibrationCurveTests {
    static let engine = Result { try Fixture.engine(Fixture.taxiPredictions(), Fixture.feedback("taxi")) }

    @Test func everyLabeledRowFallsInItsBin() throws {
        let curve = try Self.engine.get().calibration(model: "taxi-tip")
        #expect(curve.bins.map(\.count) == [4689, 79, 303, 644, 1180, 1762, 2378, 2565, 1939, 439])
        #expect(curve.bins.map(\.lower) == (0..<10).map { Double($0) / 10 })
        let meanScore = [
            0.0202952442, 0.162143038, 0.2591861386, 0.3542375776, 0.452284661, 0.5527981271, 0.6506043734,
            0.7486988694, 0.844485147, 0.9232596811,
        ]
        let positive = [
            0.0228193645, 0.4050632911, 0.4917491749, 0.5854037267, 0.5906779661, 0.6140749149, 0.6156433978,
            0.640545809, 0.6529138731, 0.6674259681,
        ]
        for (b, bin) in curve.bins.enumerated() {
            expectClose(bin.meanScore, meanScore[b], relative: 1e-8, "mean score in bin \(b)")
            expectClose(bin.fractionPositive, positive[b], relative: 1e-8, "fraction positive in bin \(b)")
        }
        expectClose(curve.expectedCalibrationError, 0.08548974840405558, relative: 1e-12, "ece")
    }

    @Test func aWindowKeepsOnlyItsPredictions() throws {
        let curve = try Self.engine.get().calibration(
            model: "taxi-tip",
            window: .range(from: Fixture.time("2020-02-23T00:00:00Z"), to: Fixture.time("2020-03-01T00:00:00Z")))
        #expect(curve.bins.map(\.count) == [1134, 11, 40, 102, 223, 388, 562, 691, 590, 152])
        expectClose(curve.bins[7].fractionPositive, 0.505065123, relative: 1e-8, "fraction positive in bin 7")
        expectClose(curve.expectedCalibrationError, 0.14639714872848694, relative: 1e-12, "ece")
    }

    @Test func onlyBinaryClassifiersHaveOne() throws {
        let engine = try Fixture.engine(Fixture.fareRegressionPredictions(), [])
        #expect(throws: QueryError.self) { try engine.calibration(model: "fare") }
    }
}
