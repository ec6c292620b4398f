import Foundation
import Testing

@testable import VigilCore

/// Worst-slice discovery on the slices fixture (Tests/Fixtures/slices): its expected values are pandas/scipy's.
@Suite struct SliceTests {
    static let columns = [
        "trip_distance", "fare_amount", "passenger_count", "pickup_hour", "payment_type", "pickup_borough",
    ]
    static var expected: [String: Any] { Fixture.expected("slices") }

    static func predictions() -> [Prediction] {
        Fixture.rows("slices", "predictions.csv").map { r in
            var features: [String: FeatureValue] = [:]
            for c in columns {
                let text = r[c]!
                features[c] = text.isEmpty ? .null : Double(text).map(FeatureValue.number) ?? .string(text)
            }
            return Prediction(
                id: r["id"]!, time: Fixture.time(r["timestamp"]!), model: r["model"]!, version: r["version"]!,
                features: features, score: .probability(Double(r["score"]!)!),
                prediction: .number(Double(r["prediction"]!)!))
        }
    }

    static func engine(shards: Int = 1) throws -> Engine {
        let reference = try ReferenceTable(
            bytes: Array(try Data(contentsOf: URL(fileURLWithPath: Fixture.path("slices", "reference.csv")))))
        var configuration = EngineConfiguration()
        configuration.shards = shards
        var engine = Engine(configuration: configuration)
        // Given before the model's first prediction, as a reference uploaded first is.
        engine.setSliceEdges(model: "taxi-slices", reference.profile.sliceEdges)
        let result = EventReplay().run(
            predictions: predictions(), feedback: Fixture.feedback("slices"), into: &engine)
        #expect(result.rejected.isEmpty)
        return engine
    }

    /// An expected slice's terms as Vigil's conditions: `b<i>` is the i-th bin between the column's edges.
    static func key(_ terms: [String: String]) -> Set<String> { Set(conditions(terms).map(canonical)) }

    /// A condition with its bounds to 12 digits (JSONSerialization may read the last digit of an edge apart).
    static func canonical(_ c: SliceCondition) -> String {
        let bound = { (x: Double?) in x.map { String(format: "%.12g", $0) } ?? "-" }
        return "\(c.column)|\(c.value ?? "")|\(c.missing)|\(bound(c.lower))|\(bound(c.upper))"
    }

    static func conditions(_ terms: [String: String]) -> [SliceCondition] {
        let edges = expected["edges"] as! [String: [Double]]
        return terms.map { column, term in
            if term == "missing" { return SliceCondition(column: column, missing: true) }
            guard let cuts = edges[column], term.hasPrefix("b"), let i = Int(term.dropFirst()) else {
                return SliceCondition(column: column, value: term)
            }
            return SliceCondition(
                column: column, lower: i > 0 ? cuts[i - 1] : nil, upper: i < cuts.count ? cuts[i] : nil)
        }
    }

    static func report(_ engine: Engine, _ period: String) throws -> SliceReport {
        let window = expected[period] as! [String: Any]
        return try engine.slices(
            model: "taxi-slices", metric: .accuracy, from: Fixture.time(window["from"] as! String),
            to: Fixture.time(window["to"] as! String), minSize: 30, limit: 10_000)
    }

    @Test func theBadWeeksSlicesEqualScipys() throws {
        let engine = try Self.engine()
        let report = try Self.report(engine, "bad_week")
        let expected = (Self.expected["bad_week"] as! [String: Any])["slices"] as! [[String: Any]]
        #expect(report.slices.first?.slice == "payment_type = cash & pickup_borough = Brooklyn")
        #expect(report.tested == expected.count)
        let found = Dictionary(uniqueKeysWithValues: report.slices.map { (Set($0.conditions.map(Self.canonical)), $0) })
        for e in expected {
            guard let got = found[Self.key(e["terms"] as! [String: String])] else {
                Issue.record("no slice \(Self.key(e["terms"] as! [String: String])); found e.g. \(found.keys.first!)")
                continue
            }
            #expect(got.metric.n == (e["n"] as! NSNumber).int64Value)
            #expect(abs(got.metric.value! - (e["value"] as! Double)) < 1e-12)
            let p = e["p_value"] as! Double
            #expect(abs(got.pValue - p) <= 1e-9 * p)
            #expect(got.discovered == (e["discovered"] as! Bool))
        }
        // Every slice's name leads back to it: an SLO on the slice measures what the report found.
        let window = Self.expected["bad_week"] as! [String: Any]
        let (from, to) = (Fixture.time(window["from"] as! String), Fixture.time(window["to"] as! String))
        for finding in report.slices {
            var slo = SLODefinition(
                name: "s", model: "taxi-slices", sli: .metric("accuracy"), objective: .init(.atLeast, 0.8))
            slo.slice = finding.slice
            let sample = try engine.sample(slo, from: from, to: to, now: to)
            #expect(sample.n == finding.metric.n && sample.value == finding.metric.value, "\(finding.slice)")
            #expect(sample.predictions == finding.predictions)
        }
        #expect(engine.hasSlice("payment_type = bitcoin", model: "taxi-slices") == false)
        #expect(engine.hasSlice("payment_type = cash", model: "unknown") == nil)
    }

    /// The homogeneity test of daily counts equals scipy's `chi2_contingency([good, bad], correction=False)`.
    @Test func dailyHomogeneityEqualsScipys() throws {
        let three = try #require(SliceSuggestions.homogeneity([(45, 50), (30, 50), (0, 0), (40, 50)]))
        #expect(three.dof == 2 && abs(three.chi2 - 13.043478260869565) < 1e-12)
        #expect(abs(three.p - 0.0014711084268870247) < 1e-15)
        let two = try #require(SliceSuggestions.homogeneity([(45, 50), (30, 60)]))
        #expect(
            two.dof == 1 && abs(two.chi2 - 20.114285714285714) < 1e-12 && abs(two.p / 7.294975142284674e-06 - 1) < 1e-9)
        #expect(SliceSuggestions.homogeneity([(45, 50), (0, 0)]) == nil)
        #expect(SliceSuggestions.homogeneity([(50, 50), (20, 20)])?.p == 1)
    }

    @Test func healthyWeeksHaveNoDiscoveryAndShardsAgree() throws {
        let one = try Self.report(try Self.engine(), "healthy_weeks")
        #expect(one.tested > 300 && one.discoveries == 0)
        // Four shards take the rows in parallel runs (slice codes planned, not interned): the same report.
        let four = try Self.report(try Self.engine(shards: 4), "healthy_weeks")
        #expect(four == one)
        #expect(
            try Self.report(try Self.engine(shards: 4), "bad_week") == (try Self.report(try Self.engine(), "bad_week")))
    }

    @Test func edgesAreKeptOnceAndCategoriesPastTheLimitAreOther() throws {
        var columns = SliceColumns()
        let first = columns.setEdges([3, 1, 2, 2, .nan], column: "x")
        let second = columns.setEdges([10], column: "x")
        #expect(first && !second)
        var codes: UInt64 = 0
        for i in 0..<(SliceColumns.maxValues + 3) {
            codes = columns.intern(["x": .number(2.5), "city": .string("c\(i)")])
        }
        #expect(
            columns.condition(column: 0, code: UInt8(codes & 0xFF)) == SliceCondition(column: "x", lower: 2, upper: 3))
        #expect(columns.condition(column: 1, code: UInt8(codes >> 8 & 0xFF)).value == "(other)")
        #expect(
            columns.condition(column: 1, code: UInt8(columns.codes(["city": .string("c3")])! >> 8 & 0xFF)).value == "c3"
        )
        #expect(columns.condition(column: 0, code: UInt8(columns.codes([:])! & 0xFF)).missing)
    }

    @Test func regressionModelsAndBadWindowsAreRefused() throws {
        var engine = Engine()
        try engine.ingest(
            Prediction(id: "r", time: Fixture.time("2026-10-05T00:00:00Z"), model: "fare", prediction: .number(3)))
        let error = #expect(throws: QueryError.self) {
            try engine.slices(
                model: "fare", metric: .accuracy, from: Timestamp(milliseconds: 0), to: Timestamp(milliseconds: 1))
        }
        #expect(error?.message.contains("'fare' is a regression model") == true)
    }
}
