import Testing

@testable import VigilCore

/// Label lag does not depend on the order label rows arrive in, nor on whether the prediction came first.
@Suite struct LabelLagOrderTests {
    static let t0 = Timestamp(milliseconds: 1_700_000_000_000)
    static let prediction = Prediction(
        id: "p", time: t0, model: "m", score: .probability(0.9), prediction: .number(1))
    // First label after 1 h, a correction after 2 h: the lag is to the label in effect, 7,200 s.
    static let first = Feedback(id: "p", time: t0 + .seconds(3600), label: .number(1))
    static let correction = Feedback(id: "p", time: t0 + .seconds(7200), label: .number(0))
    static let sameLater = Feedback(id: "p", time: t0 + .seconds(7200), label: .number(1))

    static func lag(_ events: [Either]) throws -> Double? {
        var engine = Engine()
        for e in events {
            switch e {
            case .prediction(let p): try engine.ingest(p)
            case .feedback(let f): try engine.ingest(f)
            }
        }
        return try engine.metrics(model: "m", names: ["label_lag_p50"])["label_lag_p50"]?.value
    }

    enum Either {
        case prediction(Prediction)
        case feedback(Feedback)
    }

    @Test(arguments: [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 1, 0], [2, 0, 1]])
    func correctionOrder(_ order: [Int]) throws {
        let events: [Either] = [.prediction(Self.prediction), .feedback(Self.first), .feedback(Self.correction)]
        let lag = try #require(try Self.lag(order.map { events[$0] }))
        #expect(abs(lag - 7200) <= 7200 * 0.01)
    }

    @Test(arguments: [[0, 1, 2], [0, 2, 1], [1, 2, 0], [2, 1, 0]])
    func sameLabelLaterOrder(_ order: [Int]) throws {
        let events: [Either] = [.prediction(Self.prediction), .feedback(Self.first), .feedback(Self.sameLater)]
        let lag = try #require(try Self.lag(order.map { events[$0] }))
        #expect(abs(lag - 7200) <= 7200 * 0.01)
    }
}
