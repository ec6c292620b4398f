import Testing
@testable import VigilCore

/// Shadow predictions: paired with the served prediction of the same id and joined with its one label,
/// whatever the order of the label and the two predictions; never counted in the served metrics.
struct ShadowTests {
    static let t0 = Timestamp(milliseconds: 1_793_491_200_000)  // 2026-11-01

    /// id: (served prediction, shadow prediction, labels as (value, arrival hours after t0)).
    static let cases: [(String, Double, Double, [(Double, Int)])] = [
        ("a", 1, 1, [(1, 1)]),  // both right
        ("b", 1, 0, [(1, 1)]),  // served only
        ("c", 0, 0, [(1, 1)]),  // both wrong
        ("d", 0, 1, [(1, 1)]),  // shadow only
        ("e", 1, 0, [(0, 1), (1, 3)]),  // corrected: shadow only → served only
        ("f", 1, 1, []),  // unlabeled pair
        ("g", 0, 1, [(0, 1), (0, 1)]),  // a duplicated label: served only
    ]

    enum Order: CaseIterable { case labelsLast, labelsFirst, labelsBetween, correctionFirst }

    static func events(_ order: Order) -> [Any] {
        var events: [Any] = []
        for (i, (id, served, shadow, labels)) in cases.enumerated() {
            let t = t0 + .seconds(60 * i)
            let p = Prediction(id: id, time: t, model: "fraud", version: "v1", prediction: .number(served))
            let s = Prediction(id: id, time: t, model: "fraud", version: "v3", prediction: .number(shadow), shadow: true)
            var l = labels.map { Feedback(id: id, time: t0 + .seconds(3600 * $0.1), label: .number($0.0)) }
            switch order {
            case .labelsLast: events += [p, s] as [Any] + l as [Any]
            case .labelsFirst: events += l as [Any] + [p, s] as [Any]
            case .labelsBetween: events += [p] as [Any] + l as [Any] + [s] as [Any]
            case .correctionFirst:
                l.reverse()
                events += [p] as [Any] + Array(l.prefix(1)) as [Any] + [s] as [Any] + Array(l.dropFirst()) as [Any]
            }
        }
        return events
    }

    static func engine(_ order: Order) throws -> Engine {
        var engine = Engine()
        try engine.declare(model: "fraud", task: .binary)
        for e in events(order) {
            if let p = e as? Prediction { try engine.ingest(p) } else { try engine.ingest(e as! Feedback) }
        }
        return engine
    }

    @Test(arguments: Order.allCases) func pairsAreCountedWhateverTheOrder(_ order: Order) throws {
        let engine = try Self.engine(order)
        let s = try engine.shadowComparison(model: "fraud", shadow: "v3", primary: "v1")
        #expect(s.pairs == 7)
        #expect(s.labeledPairs == 6)
        #expect(s.disagreement?.value == 4.0 / 7)
        #expect(s.table == .init(bothRight: 1, primaryOnlyRight: 3, shadowOnlyRight: 1, bothWrong: 1))
        #expect(s.primaryValue == 4.0 / 6 && s.shadowValue == 2.0 / 6)
        // McNemar on b = 3, c = 1: statsmodels mcnemar([[1, 3], [1, 1]], exact=True).pvalue = 0.625.
        expectClose(s.difference?.pValue, 0.625, relative: 1e-12, "McNemar p")
        #expect(s.difference?.estimate == (1.0 - 3.0) / 6)
        // The served version's metrics do not see the shadows; the shadow has its own.
        #expect(try engine.metrics(model: "fraud", names: ["count", "labeled_count"])["count"]?.value == 7)
        #expect(try engine.metrics(model: "fraud", version: "v3", names: ["count"])["count"]?.value == 7)
        #expect(try engine.metrics(model: "fraud", version: "v3", names: ["accuracy"])["accuracy"]?.value == 2.0 / 6)
        #expect(try engine.modelSummary("fraud").versions == ["v1"])
        #expect(try engine.modelSummary("fraud").shadowVersions == ["v3"])
    }

    /// statsmodels `mcnemar(table, exact=True).pvalue`.
    @Test(arguments: [
        (3, 0, 0.25), (10, 4, 0.1795654296875), (0, 0, 1.0), (160, 89, 8.020884376598191e-06),
    ] as [(Int64, Int64, Double)])
    func mcNemarMatchesStatsmodels(_ c: (Int64, Int64, Double)) {
        expectClose(McNemar.exactPValue(b: c.0, c: c.1), c.2, relative: 1e-9, "p(\(c.0), \(c.1))")
    }

    @Test func badShadowsAreRefusedNamingTheField() throws {
        var engine = try Self.engine(.labelsLast)
        let t = Self.t0
        func shadow(_ id: String, _ version: String, model: String = "fraud", _ value: Double = 1) -> Prediction {
            Prediction(id: id, time: t, model: model, version: version, prediction: .number(value), shadow: true)
        }
        func refused(_ p: Prediction, _ code: EventError.Code, _ field: String) {
            #expect(throws: EventError.self) { try engine.ingest(p) }
            do { try engine.ingest(p) } catch {
                #expect(error.code == code && error.field == field, "\(error)")
            }
        }
        refused(shadow("zz", "v3"), .missingPrimary, "id")
        refused(shadow("a", "v3", model: "other"), .conflict, "model")
        refused(shadow("a", "v3", 0), .conflict, "id")
        #expect(try engine.ingest(shadow("a", "v3")) == .duplicate)
        refused(shadow("a\u{0}0", "v3"), .invalidName, "id")
        for v in ["v4", "v5", "v6"] { #expect(try engine.ingest(shadow("a", v)) == .stored) }
        refused(shadow("a", "v7"), .limitExceeded, "shadow")
        // Refusals left no trace.
        #expect(try engine.shadowComparison(model: "fraud", shadow: "v3").pairs == 7)
        #expect(try engine.modelSummary("fraud").shadowVersions == ["v3", "v4", "v5", "v6"])
    }
}
