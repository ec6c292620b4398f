import Foundation
import Testing
import VigilCore

@testable import VigilServer

/// The hand-written JSON of metric responses is the document Foundation's `JSONEncoder` makes of the same
/// value: byte for byte where key order is unambiguous, and equal once parsed everywhere.
@Suite struct MetricResponseJSONTests {
    static let awkward = "m\"\\/\n\r\t\u{8}\u{C}\u{1}\u{1F} é 😀"

    static let values: [MetricValue] = [
        MetricValue(0.7328635490070468, n: 7805, lower: 0.72, upper: 0.74),
        MetricValue(nil, n: 0),
        MetricValue(1.0, n: 3, lower: 0.4385030818, upper: 1.0),
        MetricValue(1e-7, n: 12, lower: 0, upper: 3.5e-5),
        MetricValue(-2.5e21, n: 1),
        MetricValue(.nan, n: 4),
        MetricValue(.infinity, n: 5, lower: -.infinity),
        MetricValue(123_456_789.125, n: Int64.max),
    ]

    static func slice(_ i: Int, names: [String], multiclass: Bool = false) -> MetricResponse.Slice {
        var metrics: [String: MetricValue] = [:]
        for (j, name) in names.enumerated() { metrics[name] = values[(i + j) % values.count] }
        let confusion =
            multiclass
            ? MetricResponse.Confusion(classes: ["a", awkward, "c"], matrix: [[1, 0, 2], [0, 5, 1], [3, 0, 0]])
            : MetricResponse.Confusion(tp: Int64(i), fp: 2, tn: 0, fn: Int64(i) * 7)
        return MetricResponse.Slice(
            from: i == 1 ? nil : "2026-10-26T0\(i % 10):00:00Z", to: "2026-10-26T0\(i % 10):59:00Z", metrics: metrics,
            confusion: i == 2 ? nil : confusion)
    }

    static let responses: [MetricResponse] = {
        let names = ["accuracy", "log_loss", "precision", "recall", "roc_auc"]
        var window = MetricResponse(model: "taxi-tip", task: "binary", names: names, window: slice(0, names: names))
        window.version = "v2"
        window.segment = "payment_type:card"
        var series = MetricResponse(
            model: awkward, task: "multiclass", names: names,
            series: (0..<12).map { slice($0, names: names, multiclass: true) })
        series.asOf = "2026-11-01T00:00:00Z"
        series.segment = awkward
        let empty = MetricResponse(model: "m", task: "regression", names: [], series: [])
        return [window, series, empty]
    }()

    static func foundation(_ response: MetricResponse) throws -> [UInt8] {
        Array(try JSONResponse.encoder.encode(response))
    }

    @Test(arguments: 0..<responses.count) func bytesEqualFoundations(_ index: Int) throws {
        let response = Self.responses[index]
        #expect(
            String(decoding: response.json, as: UTF8.self)
                == String(decoding: try Self.foundation(response), as: UTF8.self))
    }

    @Test func metricNamesWithDigitsParseTheSame() throws {
        // Foundation may order "p_at_10" and "p_at_9" by their numbers; JSON objects are unordered anyway.
        let names = ["p_at_10", "p_at_9", "P_at_1", "_x", "é"]
        let response = MetricResponse(
            model: "m", task: "binary", names: names, series: (0..<5).map { Self.slice($0, names: names) })
        let mine = try JSONSerialization.jsonObject(with: Data(response.json)) as? NSDictionary
        let theirs = try JSONSerialization.jsonObject(with: Data(try Self.foundation(response))) as? NSDictionary
        #expect(mine != nil && mine == theirs)
    }
}
