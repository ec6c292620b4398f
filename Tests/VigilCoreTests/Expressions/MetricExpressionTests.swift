import Testing

@testable import VigilCore

struct MetricExpressionTests {
    @Test(arguments: [
        ("sum(prediction == 1 and) / count()", 24, "expected a value"),
        ("sum(label) / cnt()", 14, "unknown function 'cnt'"),
        ("sum(sum(label))", 5, "aggregates cannot be nested"),
        ("label + 1", 1, "per-row value"),
        ("sum(labl == 1)", 5, "unknown name 'labl'"),
        ("sum(label = 1)", 11, "use '=='"),
        ("mean(score", 11, "expected ','"),
        ("sum(label) / 2)", 15, "unexpected ')'"),
        ("1 + 2", 1, "at least one aggregate"),
        ("clip(mean(score), 0)", 1, "clip takes 3"),
        ("sum('open", 5, "unterminated string"),
    ])
    func errorsPointAtTheColumn(source: String, column: Int, message: String) {
        do {
            _ = try MetricExpression(source)
            Issue.record("'\(source)' parsed")
        } catch {
            #expect(error.column == column, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test func aMetricReadingLabelIsOverLabeledRows() throws {
        let m = try MetricExpression("sum(prediction == 1 and label == 1) / sum(label == 1)")
        #expect(m.labeledOnly)
        #expect(m.accumulators.count == 2)
        let coverage = try MetricExpression("sum(labeled) / count()")
        #expect(!coverage.labeledOnly)
        #expect(coverage.accumulators.allSatisfy { $0.kind != .count || !$0.dependsOnLabel })
    }

    @Test func precedenceAndNulls() {
        let row = RowContext(
            score: 0.25, prediction: .number(1), label: .number(0), labelScore: 0.75,
            features: ["d": .number(4), "city": .string("NYC"), "gone": .null], segments: ["s": "a"], version: "v1")
        func eval(_ s: String) -> RowValue {
            let m = try! MetricExpression("sum(\(s))")
            return m.accumulators[0].row!.evaluate(row)
        }
        #expect(eval("1 + 2 * 3") == .number(7))
        #expect(eval("-(1 + 2) * 3") == .number(-9))
        #expect(eval("not label == 1 and prediction == 1") == .number(1))
        #expect(eval("features.d / 0") == .null)
        #expect(eval("features.gone + 1") == .null)
        #expect(eval("features.city == 'NYC' or false") == .number(1))
        #expect(eval("clip(features.d, 0, 3) + abs(-1)") == .number(4))
        #expect(eval("segment.s == 'a' and version == 'v1'") == .number(1))
        #expect(eval("log(exp(2))") == .number(2))
        #expect(eval("1e-3 * 1000") == .number(1))
    }

    /// A user metric that reads a feature and the label is kept through corrections: recall on long
    /// trips, compared with a direct computation over the fixture's resolved labels.
    @Test func customMetricWithAFeatureAndCorrections() throws {
        let predictions = Fixture.taxiPredictions()
        let feedback = Fixture.feedback("taxi")
        let engine = try Fixture.engine(predictions, feedback) { e in
            try e.defineMetric(
                "long_trip_recall", on: "taxi-tip",
                "sum(prediction == 1 and label == 1 and features.trip_distance > 5) / sum(label == 1 and features.trip_distance > 5)"
            )
            try e.defineMetric("max_missed_score", on: "taxi-tip", "max(score * (label == 1 and prediction == 0))")
            try e.defineMetric("long_share", on: "taxi-tip", "mean(features.trip_distance > 5)")
        }
        var latest: [String: (Timestamp, Double)] = [:]
        for f in feedback {
            guard case .number(let y) = f.label else { continue }
            if let (t, _) = latest[f.id], t > f.time { continue }
            latest[f.id] = (f.time, y)
        }
        var tp = 0.0, positives = 0.0, long = 0.0, missed = 0.0
        for p in predictions {
            guard case .number(let d)? = p.features["trip_distance"], case .probability(let s)? = p.score,
                case .number(let yhat)? = p.prediction
            else { continue }
            if d > 5 { long += 1 }
            guard let (_, y) = latest[p.id] else { continue }
            if y == 1 && yhat == 0 { missed = max(missed, s) }
            guard d > 5, y == 1 else { continue }
            positives += 1
            if yhat == 1 { tp += 1 }
        }
        let r = try engine.metrics(model: "taxi-tip", names: ["long_trip_recall", "max_missed_score", "long_share"])
        expectClose(r["long_trip_recall"]?.value, tp / positives, "long trip recall")
        expectClose(r["max_missed_score"]?.value, missed, "max missed score")
        expectClose(r["long_share"]?.value, long / Double(predictions.count), "long share")
    }

    @Test func metricNamesMayNotShadowBuiltins() {
        var e = Engine()
        #expect(throws: QueryError.self) { try e.defineMetric("accuracy", on: "m", "count()") }
        #expect(throws: QueryError.self) { try e.defineMetric("bad name", on: "m", "count()") }
        #expect(throws: QueryError.self) { try e.defineMetric("ok", on: "m", "sum(") }
    }
}
