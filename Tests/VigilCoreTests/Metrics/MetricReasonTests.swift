import Foundation
import Testing

@testable import VigilCore

/// A metric without a value says why, so `{"n": 0}` is never the whole answer.
struct MetricReasonTests {
    static let t0 = Fixture.time("2026-01-01T00:00:00Z")

    @Test func eachUndefinedMetricNamesWhatIsMissing() throws {
        var engine = Engine()
        // Four negative predictions, all labeled 0, and one unlabeled: no positives anywhere.
        for i in 0..<5 {
            try engine.ingest(
                Prediction(id: "p\(i)", time: Self.t0, model: "m", score: .probability(0.2), prediction: .number(0)))
        }
        for i in 0..<4 { try engine.ingest(Feedback(id: "p\(i)", time: Self.t0 + .seconds(60), label: .number(0))) }
        let report = try engine.metrics(model: "m", names: ["accuracy", "precision", "recall", "roc_auc", "f1"])
        #expect(report["accuracy"]?.value == 1 && report["accuracy"]?.reason == nil)
        #expect(report["precision"]?.reason == "no positive predictions in range")
        #expect(report["recall"]?.reason == "no positive labels in range")
        #expect(report["roc_auc"]?.reason == "needs scored predictions with both labels, 0 and 1, in range")
        #expect(report["f1"]?.value == nil && report["f1"]?.reason == "no positive predictions or labels in range")

        // A range with predictions but no labels yet, and one with nothing.
        let later = Self.t0 + .seconds(86_400)
        try engine.ingest(Prediction(id: "q", time: later, model: "m", score: .probability(0.9), prediction: .number(1)))
        let unlabeled = try engine.metrics(
            model: "m", window: .range(from: later, to: later + .seconds(3600)), names: ["accuracy", "label_lag_p50"])
        #expect(unlabeled["accuracy"]?.reason == "none of the 1 predictions in range is labeled yet")
        #expect(unlabeled["label_lag_p50"]?.reason == "no labels arrived for the predictions in range")
        let empty = try engine.metrics(
            model: "m", window: .range(from: later + .seconds(7200), to: later + .seconds(9000)), names: ["accuracy"])
        #expect(empty["accuracy"]?.reason == "no predictions in range")
    }
}
