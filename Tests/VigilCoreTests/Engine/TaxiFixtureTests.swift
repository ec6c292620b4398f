import Testing
import VigilCore

/// The binary taxi-tip classifier against scikit-learn's numbers in `expected.json`.
struct TaxiFixtureTests {
    // Decoded JSON is never mutated after this lazy initialisation, so sharing it across tests is safe.
    nonisolated(unsafe) static let expected = Fixture.expected("taxi")
    static let predictions = Fixture.taxiPredictions()
    static let feedback = Fixture.feedback("taxi")
    static let engine = try! Fixture.engine(predictions, feedback)

    @Test func overall() throws {
        let report = try Self.engine.metrics(model: "taxi-tip")
        expectMatches(report, Self.expected["overall"] as! [String: Any], "overall")
    }

    @Test(arguments: ["v1", "v2"])
    func byVersion(version: String) throws {
        let report = try Self.engine.metrics(model: "taxi-tip", version: version)
        let expected = (Self.expected["by_version"] as! [String: Any])[version] as! [String: Any]
        expectMatches(report, expected, "version \(version)")
    }

    @Test func summaryListsEverySegmentValueSeen() throws {
        let summary = try #require(Self.engine.modelSummaries.first { $0.name == "taxi-tip" })
        let paymentTypes = Set(Fixture.rows("taxi", "predictions.csv").map { $0["payment_type"]! })
        #expect(summary.segments == ["payment_type": paymentTypes.sorted()])
        #expect(summary.versions.sorted() == ["v1", "v2"])
    }

    @Test func everyDay() throws {
        try expectEveryDay(Self.engine, model: "taxi-tip", Self.expected["by_day"] as! [String: Any])
    }

    @Test func dailySeriesEqualsDayWindows() throws {
        let days = Self.expected["by_day"] as! [String: Any]
        let series = try Self.engine.metricSeries(
            model: "taxi-tip", from: Fixture.time("2020-02-01T00:00:00Z"), to: Fixture.time("2020-03-01T00:00:00Z"),
            step: .seconds(86_400))
        #expect(series.count == 29)
        for report in series {
            let day = String(report.from!.iso8601.prefix(10))
            expectMatches(report, days[day] as! [String: Any], "series \(day)")
        }
    }

    @Test(arguments: ["first_week", "last_week"])
    func windows(name: String) throws {
        let block = (Self.expected["windows"] as! [String: Any])[name] as! [String: Any]
        try expectWindow(Self.engine, model: "taxi-tip", block, name)
    }

    @Test func lastWeekAsSlidingWindow() throws {
        let expected = (Self.expected["windows"] as! [String: Any])["last_week"] as! [String: Any]
        let window = Window.last(.seconds(7 * 86_400), now: Fixture.time("2020-03-01T00:00:00Z"))
        expectMatches(try Self.engine.metrics(model: "taxi-tip", window: window), expected, "last 7d")
    }

    @Test(arguments: ["v1", "v2"])
    func canaryPeriod(version: String) throws {
        let block = (Self.expected["windows"] as! [String: Any])["canary_period_by_version"] as! [String: Any]
        try expectWindow(Self.engine, model: "taxi-tip", block, "canary \(version)", version: version)
    }

    @Test func asOfUsesOnlyLabelsArrivedByTheCutoff() throws {
        let block = Self.expected["as_of"] as! [String: Any]
        let cutoff = Fixture.time(block["labels_arrived_at_or_before"] as! String)
        let window = Window.range(
            from: Fixture.time(block["predictions_from"] as! String),
            to: Fixture.time(block["predictions_to"] as! String))
        let asOf = try Fixture.engine(Self.predictions, Self.feedback, asOf: cutoff)
        expectMatches(try asOf.metrics(model: "taxi-tip", window: window), block, "as of")
        expectMatches(
            try Self.engine.metrics(model: "taxi-tip", window: window), block["final"] as! [String: Any], "final")
    }

    @Test func asOfEdgeCases() throws {
        let block = Self.expected["as_of"] as! [String: Any]
        let ids = block["edge_case_ids"] as! [String: String]
        let cutoff = Fixture.time(block["labels_arrived_at_or_before"] as! String)
        func label(_ id: String, asOf: Timestamp?) -> Double? {
            // The label in effect is the latest row arrived by the cutoff; check it through a one-id replay.
            let p = Self.predictions.first { $0.id == id }!
            let f = Self.feedback.filter { $0.id == id }
            let engine = try! Fixture.engine([p], f, asOf: asOf)
            let r = try! engine.metrics(model: "taxi-tip", names: ["labeled_count", "positive_rate_label"])
            return r["labeled_count"]!.value == 0 ? nil : r["positive_rate_label"]!.value
        }
        #expect(label(ids["arrives_exactly_at_cutoff"]!, asOf: cutoff) != nil)
        #expect(label(ids["arrives_one_second_after_cutoff"]!, asOf: cutoff) == nil)
        let corrected = ids["corrected_after_cutoff"]!
        #expect(label(corrected, asOf: cutoff) != label(corrected, asOf: nil))
        #expect(
            label(ids["corrected_before_cutoff"]!, asOf: cutoff) == label(ids["corrected_before_cutoff"]!, asOf: nil))
    }

    @Test func joinCountersMatchTheFeedbackFile() {
        let f = Self.expected["feedback"] as! [String: Any]
        let s = Self.engine.statistics
        #expect(s.feedbackAccepted == Int(number(f["rows"])!))
        #expect(s.orphansHeld == Int(number(f["orphan_ids"])!))
        #expect(s.labelsApplied == Int(number(f["labeled_ids"])!))
        #expect(s.corrections == Int(number(f["corrected_ids"])!))
        #expect(s.duplicateFeedback == Int(number(f["duplicate_rows"])!))
        #expect(s.orphansMatched == 0)
        #expect(s.predictionsAccepted == 20_000)
    }

    /// Label lag quantiles from the sketch are within its 1 % relative accuracy of the exact ones: the lag
    /// of a prediction is the time to the arrival of its label row in effect (the latest).
    @Test func labelLagQuantiles() throws {
        let times = Dictionary(uniqueKeysWithValues: Self.predictions.map { ($0.id, $0.time.milliseconds) })
        var latest: [String: Int64] = [:]
        for f in Self.feedback where times[f.id] != nil {
            latest[f.id] = max(latest[f.id] ?? .min, f.time.milliseconds - times[f.id]!)
        }
        let lags = latest.values.map { Double($0) / 1000 }.sorted()
        let report = try Self.engine.metrics(
            model: "taxi-tip", names: ["label_lag_p50", "label_lag_p90", "label_lag_p99"])
        for (name, q) in [("label_lag_p50", 0.5), ("label_lag_p90", 0.9), ("label_lag_p99", 0.99)] {
            let exact = lags[Int((q * Double(lags.count - 1)).rounded(.down))]
            expectClose(report[name]?.value, exact, relative: 0.0101, name)
        }
    }

    @Test func segmentsPartitionTheModel() throws {
        let segments = Self.engine.segments(model: "taxi-tip", key: "payment_type")
        #expect(segments.map(\.value) == ["card", "cash", "crypto", "dispute", "no_charge"])
        var count = 0.0
        var tp = Int64(0)
        for s in segments {
            let r = try Self.engine.metrics(model: "taxi-tip", segment: s)
            count += r["count"]!.value!
            if case .binary(let t, _, _, _)? = r.confusion { tp += t }
        }
        #expect(count == 20_000)
        #expect(tp == 5748)
    }
}
