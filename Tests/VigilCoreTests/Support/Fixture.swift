import Foundation
import Testing
import VigilCore

/// The golden fixtures in `Tests/Fixtures` (copied from the shared fixtures) and their expected values.
///
/// The loader here is deliberately independent of the CLI's decoder: it splits the fixtures' plain CSV itself.
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func path(_ name: String, _ file: String) -> String {
        root.appendingPathComponent(name).appendingPathComponent(file).path
    }

    static func rows(_ name: String, _ file: String) -> [[String: String]] {
        let text = try! String(contentsOfFile: path(name, file), encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.map { line in
            Dictionary(
                uniqueKeysWithValues: zip(
                    header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
    }

    static func expected(_ name: String) -> [String: Any] {
        let data = try! Data(contentsOf: root.appendingPathComponent(name).appendingPathComponent("expected.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func time(_ s: String) -> Timestamp { try! Timestamp(iso8601: s) }

    static func feedback(_ name: String) -> [Feedback] {
        rows(name, "feedback.csv").map { r in
            let label: Outcome = Double(r["label"]!).map(Outcome.number) ?? .category(r["label"]!)
            return Feedback(id: r["id"]!, time: time(r["timestamp"]!), label: label)
        }
    }

    static func taxiPredictions() -> [Prediction] {
        rows("taxi", "predictions.csv").map { r in
            Prediction(
                id: r["id"]!, time: time(r["timestamp"]!), model: r["model"]!, version: r["version"]!,
                segments: ["payment_type": r["payment_type"]!],
                features: ["trip_distance": .number(Double(r["trip_distance"]!)!)],
                score: .probability(Double(r["score"]!)!), prediction: .number(Double(r["prediction"]!)!))
        }
    }

    static func fareRegressionPredictions() -> [Prediction] {
        rows("fare-regression", "predictions.csv").map { r in
            Prediction(
                id: r["id"]!, time: time(r["timestamp"]!), model: r["model"]!, version: r["version"]!,
                prediction: .number(Double(r["prediction"]!)!))
        }
    }

    static let tripClasses = ["short", "medium", "long"]

    static func tripTypePredictions() -> [Prediction] {
        rows("trip-type-multiclass", "predictions.csv").map { r in
            Prediction(
                id: r["id"]!, time: time(r["timestamp"]!), model: r["model"]!, version: r["version"]!,
                score: .classes(tripClasses.map { ClassScore($0, Double(r["score_" + $0]!)!) }),
                prediction: .category(r["prediction"]!))
        }
    }

    /// Replays a fixture into a fresh engine.
    static func engine(
        _ predictions: [Prediction], _ feedback: [Feedback], asOf: Timestamp? = nil,
        configure: (inout Engine) throws -> Void = { _ in }
    ) throws -> Engine {
        var engine = Engine()
        try configure(&engine)
        let result = EventReplay(asOf: asOf).run(predictions: predictions, feedback: feedback, into: &engine)
        #expect(result.rejected.isEmpty, "fixture rows rejected: \(result.rejected.prefix(3))")
        return engine
    }
}

/// A number from decoded JSON (`nil` for JSON null).
func number(_ any: Any?) -> Double? {
    switch any {
    case let n as NSNumber: return n.doubleValue
    case let d as Double: return d
    case let i as Int: return Double(i)
    default: return nil
    }
}

/// Asserts `actual` is within relative `tolerance` of `expected`, and that both are null together.
func expectClose(
    _ actual: Double?, _ expected: Double?, relative tolerance: Double = 1e-9, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let expected else {
        #expect(
            actual == nil, "\(what): expected null, got \(String(describing: actual))", sourceLocation: sourceLocation)
        return
    }
    guard let actual else {
        Issue.record("\(what): expected \(expected), got null", sourceLocation: sourceLocation)
        return
    }
    let scale = max(abs(expected), 1e-300)
    #expect(
        abs(actual - expected) / scale <= tolerance || abs(actual - expected) <= tolerance * 1e-3,
        "\(what): expected \(expected), got \(actual)", sourceLocation: sourceLocation)
}

/// Checks every metric key of an expected block that the report has, plus the confusion matrix.
func expectMatches(
    _ report: MetricReport, _ expected: [String: Any], _ context: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    var checked = 0
    for (key, value) in expected {
        switch key {
        case "from", "to", "predictions_from", "predictions_to", "labels_arrived_at_or_before", "final",
            "edge_case_ids":
            continue
        case "confusion":
            checkConfusion(report.confusion, value, context, sourceLocation)
            checked += 1
        case "per_class":
            for (cls, metrics) in value as! [String: Any] {
                for (metric, v) in metrics as! [String: Any] {
                    expectClose(
                        report["\(metric).\(cls)"]?.value, number(v), "\(context) \(metric).\(cls)",
                        sourceLocation: sourceLocation)
                    checked += 1
                }
            }
        default:
            guard let metric = report[key] else {
                Issue.record("\(context): report has no \(key)", sourceLocation: sourceLocation)
                continue
            }
            expectClose(metric.value, number(value), "\(context) \(key)", sourceLocation: sourceLocation)
            checked += 1
        }
    }
    #expect(checked > 0, "\(context): nothing compared", sourceLocation: sourceLocation)
}

private func checkConfusion(_ c: MetricReport.Confusion?, _ expected: Any, _ context: String, _ loc: SourceLocation) {
    switch c {
    case .binary(let tp, let fp, let tn, let fn)?:
        let e = expected as! [String: Any]
        #expect(
            [tp, fp, tn, fn] == ["tp", "fp", "tn", "fn"].map { Int64(number(e[$0])!) }, "\(context) confusion",
            sourceLocation: loc)
    case .multiclass(_, let matrix)?:
        let e = (expected as! [[Any]]).map { $0.map { Int64(number($0)!) } }
        #expect(matrix == e, "\(context) confusion", sourceLocation: loc)
    case nil:
        Issue.record("\(context): no confusion matrix", sourceLocation: loc)
    }
}

/// Checks a model's every day in `by_day` against one-day windows.
func expectEveryDay(
    _ engine: Engine, model: String, _ days: [String: Any], sourceLocation: SourceLocation = #_sourceLocation
) throws {
    #expect(days.count == 29, sourceLocation: sourceLocation)
    for (day, expected) in days {
        let from = Fixture.time(day + "T00:00:00Z")
        let report = try engine.metrics(model: model, window: .range(from: from, to: from + .seconds(86_400)))
        expectMatches(report, expected as! [String: Any], day, sourceLocation: sourceLocation)
    }
}

/// Checks a named window block (with `from` and `to`) of `expected.json`.
func expectWindow(
    _ engine: Engine, model: String, _ block: [String: Any], _ name: String, version: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let window = Window.range(from: Fixture.time(block["from"] as! String), to: Fixture.time(block["to"] as! String))
    let expected = version.map { block[$0] as! [String: Any] } ?? block
    let report = try engine.metrics(model: model, window: window, version: version)
    expectMatches(report, expected, name, sourceLocation: sourceLocation)
}
