import ArgumentParser
import Foundation
import Testing
import VigilCore

@testable import VigilCLI

/// `vigil replay --format json` against the fixtures' expected values, through the same argument
/// parsing the executable uses.
struct ReplayCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func path(_ fixture: String, _ file: String) -> String {
        fixtures.appendingPathComponent(fixture).appendingPathComponent(file).path
    }

    static func expected(_ fixture: String) -> [String: Any] {
        let data = try! Data(contentsOf: URL(fileURLWithPath: path(fixture, "expected.json")))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// Runs `vigil replay ARGS --format json` and decodes its output.
    static func replay(_ fixture: String, _ arguments: [String]) throws -> [String: Any] {
        let command =
            try VigilCommand.parseAsRoot(
                [
                    "replay", "--predictions", path(fixture, "predictions.csv"), "--feedback",
                    path(fixture, "feedback.csv"),
                    "--format", "json",
                ] + arguments) as! ReplayCommand
        let output = try ReplayRunner(options: try command.options()).run()
        return try JSONSerialization.jsonObject(with: Data(output.text.utf8)) as! [String: Any]
    }

    static func slice(_ report: [String: Any], _ model: String, _ path: String...) -> [String: Any] {
        var node = (report["models"] as! [String: Any])[model] as! [String: Any]
        for key in path { node = node[key] as! [String: Any] }
        return node
    }

    /// Compares every metric of `expected` with the report slice's `metrics.NAME.value`.
    static func check(_ slice: [String: Any], _ expected: [String: Any], _ context: String) {
        let metrics = slice["metrics"] as! [String: Any]
        var compared = 0
        for (key, value) in expected {
            if key == "confusion" {
                let c = slice["confusion"]
                if let e = value as? [String: Any], let c = c as? [String: Any] {
                    for k in ["tp", "fp", "tn", "fn"] { #expect(num(c[k]) == num(e[k]), "\(context) \(k)") }
                } else if let e = value as? [[Any]], let c = (c as? [String: Any])?["matrix"] as? [[Any]] {
                    #expect(c.map { $0.map { num($0)! } } == e.map { $0.map { num($0)! } }, "\(context) confusion")
                } else {
                    Issue.record("\(context): confusion missing")
                }
                compared += 1
                continue
            }
            if key == "per_class" {
                for (cls, m) in value as! [String: Any] {
                    for (name, v) in m as! [String: Any] {
                        close(
                            num((metrics["\(name).\(cls)"] as? [String: Any])?["value"]), num(v),
                            "\(context) \(name).\(cls)")
                        compared += 1
                    }
                }
                continue
            }
            guard let expectedValue = value as? NSNumber else { continue }
            guard let m = metrics[key] as? [String: Any] else {
                Issue.record("\(context): no metric \(key)")
                continue
            }
            close(num(m["value"]), expectedValue.doubleValue, "\(context) \(key)")
            compared += 1
        }
        #expect(compared >= 5, "\(context): only \(compared) values compared")
    }

    static func num(_ v: Any?) -> Double? { (v as? NSNumber)?.doubleValue }

    static func close(_ a: Double?, _ b: Double?, _ what: String) {
        guard let a, let b else {
            #expect(a == nil && b == nil, "\(what): \(String(describing: a)) vs \(String(describing: b))")
            return
        }
        #expect(abs(a - b) <= 1e-9 * max(abs(b), 1e-12), "\(what): \(a) vs expected \(b)")
    }

    @Test func taxiOverallAndByVersion() throws {
        let expected = Self.expected("taxi")
        let report = try Self.replay("taxi", ["--by", "version"])
        Self.check(Self.slice(report, "taxi-tip", "overall"), expected["overall"] as! [String: Any], "overall")
        for v in ["v1", "v2"] {
            Self.check(
                Self.slice(report, "taxi-tip", "by_version", v),
                (expected["by_version"] as! [String: Any])[v] as! [String: Any],
                "version \(v)")
        }
        #expect(report["rejected_rows"] as? Int == 0)
        let join = report["join"] as! [String: Any]
        #expect(join["corrections"] as? Int == 80)
        #expect(join["orphans_held"] as? Int == 80)
    }

    @Test(arguments: ["first_week", "last_week"])
    func taxiWindows(name: String) throws {
        let e = (Self.expected("taxi")["windows"] as! [String: Any])[name] as! [String: Any]
        let report = try Self.replay("taxi", ["--from", e["from"] as! String, "--to", e["to"] as! String])
        let overall = Self.slice(report, "taxi-tip", "overall")
        #expect(overall["from"] as? String == e["from"] as? String)
        Self.check(overall, e, name)
    }

    @Test func taxiSlidingWindowAndDailySeries() throws {
        let expected = Self.expected("taxi")
        let report = try Self.replay("taxi", ["--window", "7d", "--step", "1d"])
        Self.check(
            Self.slice(report, "taxi-tip", "overall"),
            (expected["windows"] as! [String: Any])["last_week"] as! [String: Any],
            "last 7d")
        let series = (report["models"] as! [String: Any])["taxi-tip"] as! [String: Any]
        let steps = series["series"] as! [[String: Any]]
        #expect(steps.count == 29)
        for step in steps {
            let day = String((step["from"] as! String).prefix(10))
            Self.check(step, (expected["by_day"] as! [String: Any])[day] as! [String: Any], day)
        }
    }

    @Test func taxiAsOf() throws {
        let block = Self.expected("taxi")["as_of"] as! [String: Any]
        let report = try Self.replay(
            "taxi",
            [
                "--from", block["predictions_from"] as! String, "--to", block["predictions_to"] as! String,
                "--as-of", block["labels_arrived_at_or_before"] as! String,
            ])
        Self.check(Self.slice(report, "taxi-tip", "overall"), block, "as of")
    }

    @Test func fareRegression() throws {
        let expected = Self.expected("fare-regression")
        let report = try Self.replay("fare-regression", [])
        Self.check(Self.slice(report, "fare", "overall"), expected["overall"] as! [String: Any], "overall")
        for name in ["before_drift", "after_drift"] {
            let e = (expected["windows"] as! [String: Any])[name] as! [String: Any]
            let windowed = try Self.replay(
                "fare-regression", ["--from", e["from"] as! String, "--to", e["to"] as! String])
            Self.check(Self.slice(windowed, "fare", "overall"), e, name)
        }
    }

    @Test func tripTypeMulticlass() throws {
        let expected = Self.expected("trip-type-multiclass")
        let report = try Self.replay("trip-type-multiclass", ["--step", "1d"])
        Self.check(Self.slice(report, "trip-type", "overall"), expected["overall"] as! [String: Any], "overall")
        let model = (report["models"] as! [String: Any])["trip-type"] as! [String: Any]
        #expect(model["classes"] as? [String] == ["short", "medium", "long"])
        for step in model["series"] as! [[String: Any]] {
            let day = String((step["from"] as! String).prefix(10))
            Self.check(step, (expected["by_day"] as! [String: Any])[day] as! [String: Any], day)
        }
    }

    @Test func ndjsonInputGivesTheSameNumbersAsCSV() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-ndjson-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = try String(contentsOfFile: Self.path("taxi", "predictions.csv"), encoding: .utf8)
        var lines = csv.split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let header = lines.removeFirst()
        let ndjson = lines.map { row -> String in
            let f = Dictionary(uniqueKeysWithValues: zip(header, row))
            let features = [
                "trip_distance", "fare_amount", "passenger_count", "pickup_hour", "payment_type", "pickup_borough",
            ]
            .map { k -> String in
                let v = f[k]!
                return "\"\(k)\":" + (v.isEmpty ? "null" : Double(v) != nil ? v : "\"\(v)\"")
            }.joined(separator: ",")
            return
                "{\"id\":\"\(f["id"]!)\",\"ts\":\"\(f["timestamp"]!)\",\"model\":\"taxi-tip\",\"version\":\"\(f["version"]!)\",\"features\":{\(features)},\"score\":\(f["score"]!),\"prediction\":\(f["prediction"]!)}"
        }.joined(separator: "\n")
        let file = dir.appendingPathComponent("p.ndjson")
        try ndjson.write(to: file, atomically: true, encoding: .utf8)
        let command =
            try VigilCommand.parseAsRoot(
                [
                    "replay", "--predictions", file.path, "--feedback", Self.path("taxi", "feedback.csv"), "--format",
                    "json",
                ]) as! ReplayCommand
        let output = try ReplayRunner(options: try command.options()).run()
        let report = try JSONSerialization.jsonObject(with: Data(output.text.utf8)) as! [String: Any]
        Self.check(
            Self.slice(report, "taxi-tip", "overall"), Self.expected("taxi")["overall"] as! [String: Any], "ndjson")
    }

    /// A header naming a column twice would let one of the two win unseen: the replay refuses the file.
    @Test func repeatedColumnNameIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-dup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let predictions = """
            id,timestamp,model,version,score,city,prediction,city
            a,2020-02-01T00:00:00Z,m,v1,0.9,Oslo,1,Bergen
            """
        try predictions.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let options = ReplayOptions(predictions: dir.appendingPathComponent("p.csv").path, feedback: nil)
        #expect {
            try ReplayRunner(options: options).run()
        } throws: { error in
            "\(error)" == "p.csv, line 1: column 'city' appears twice in the header (columns 6 and 8); rename one"
        }
    }

    @Test func badRowsAreReportedWithLineNumbersAndGoodRowsKept() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let predictions = """
            id,timestamp,model,version,score,prediction
            a,2020-02-01T00:00:00Z,m,v1,0.9,1
            b,2020-02-01T00:01:00Z,m,v1,nan,1
            c,not-a-time,m,v1,0.2,0
            d,2020-02-01T00:02:00Z,m,v1,0.2
            e,2020-02-01T00:03:00Z,m,v1,1.5,1
            f,2020-02-01T00:04:00Z,m,v1,0.3,0
            """
        let feedback = """
            {"id": "a", "ts": "2020-02-01T01:00:00Z", "label": 1}
            {"id": "f", "ts": "2020-02-01T01:00:00Z", "label": 7}
            {"id": "f", "ts": "2020-02-01T01:00:00Z", "label": 0, "extra": true}
            {not json
            {"id": "f", "ts": "2020-02-01T02:00:00Z", "label": 0}
            """
        try predictions.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        try feedback.write(to: dir.appendingPathComponent("f.ndjson"), atomically: true, encoding: .utf8)
        var options = ReplayOptions(
            predictions: dir.appendingPathComponent("p.csv").path, feedback: dir.appendingPathComponent("f.ndjson").path
        )
        options.format = .json
        let output = try ReplayRunner(options: options).run()
        let rejected = output.report.rejected.map { "\($0.file):\($0.line):\($0.field)" }
        #expect(
            rejected == [
                "f.ndjson:2:label", "f.ndjson:3:extra", "f.ndjson:4:", "p.csv:3:score", "p.csv:4:timestamp", "p.csv:5:",
                "p.csv:6:score",
            ])
        let report = try output.engine.metrics(model: "m")
        #expect(report["count"]?.value == 2)
        #expect(report["labeled_count"]?.value == 2)
        #expect(report["accuracy"]?.value == 1)
    }

    @Test func customMetricAndSegmentsFromTheCommandLine() throws {
        let report = try Self.replay(
            "taxi",
            ["--segment", "payment_type", "--by", "payment_type", "--metric", "tp=sum(prediction == 1 and label == 1)"])
        let overall = Self.slice(report, "taxi-tip", "overall")
        #expect(
            Self.num((overall["metrics"] as! [String: Any])["tp"].flatMap { ($0 as! [String: Any])["value"] }) == 5748)
        let groups = Self.slice(report, "taxi-tip", "by_payment_type")
        #expect(Set(groups.keys).isSuperset(of: ["card", "cash", "crypto"]))
    }

    /// CBPE in the report equals the definition computed here from the files: the realized confusion of the
    /// labeled predictions plus, for each unlabeled one, its score's expected share of each cell.
    @Test func estimatedPerformanceAsOfACutoff() throws {
        let asOf = Self.expected("taxi")["as_of"] as! [String: Any]
        let (from, to, cutoff) = (
            asOf["predictions_from"] as! String, asOf["predictions_to"] as! String,
            asOf["labels_arrived_at_or_before"] as! String
        )
        let report = try Self.replay("taxi", ["--from", from, "--to", to, "--as-of", cutoff])
        let estimated = Self.slice(report, "taxi-tip", "estimated_performance")

        func rows(_ file: String) throws -> [[String: String]] {
            let lines = try String(contentsOfFile: Self.path("taxi", file), encoding: .utf8).split(separator: "\n")
            let header = lines[0].split(separator: ",").map(String.init)
            return lines.dropFirst().map {
                Dictionary(
                    uniqueKeysWithValues: zip(
                        header, $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
            }
        }
        // The latest label of each id among those arrived by the cutoff (ISO times in one format sort as text).
        var label: [String: (time: String, value: Double)] = [:]
        for f in try rows("feedback.csv") where f["timestamp"]! <= cutoff {
            if let seen = label[f["id"]!], seen.time > f["timestamp"]! { continue }
            label[f["id"]!] = (f["timestamp"]!, Double(f["label"]!)!)
        }
        var (tp, fp, tn, fn) = (0.0, 0.0, 0.0, 0.0)
        var (labeled, unlabeled) = (0, 0)
        for p in try rows("predictions.csv") where p["timestamp"]! >= from && p["timestamp"]! < to {
            let predicted = p["prediction"] == "1"
            if let y = label[p["id"]!]?.value {
                labeled += 1
                if predicted { if y == 1 { tp += 1 } else { fp += 1 } } else { if y == 1 { fn += 1 } else { tn += 1 } }
            } else {
                unlabeled += 1
                let s = Double(p["score"]!)!
                if predicted { tp += s; fp += 1 - s } else { fn += s; tn += 1 - s }
            }
        }
        #expect(labeled == asOf["labeled_count"] as! Int)
        #expect(Self.num(estimated["labeled"]) == Double(labeled))
        #expect(Self.num(estimated["estimated"]) == Double(unlabeled))
        let blended = estimated["blended"] as! [String: Any]
        func value(_ name: String) -> Double? { Self.num((blended[name] as? [String: Any])?["value"]) }
        let accuracy = try #require(value("accuracy"))
        let precision = try #require(value("precision"))
        let recall = try #require(value("recall"))
        #expect(abs(accuracy - (tp + tn) / (tp + fp + tn + fn)) < 1e-9)
        #expect(abs(precision - tp / (tp + fp)) < 1e-9)
        #expect(abs(recall - tp / (tp + fn)) < 1e-9)
    }

    @Test func usefulErrorsForBadArguments() throws {
        let badFormat =
            try VigilCommand.parseAsRoot(["replay", "--predictions", "x", "--format", "xml"]) as! ReplayCommand
        #expect(throws: (any Error).self) { try badFormat.options() }
        let command = try VigilCommand.parseAsRoot(["replay", "--predictions", "/nonexistent.csv"]) as! ReplayCommand
        #expect(throws: (any Error).self) { try ReplayRunner(options: try command.options()).run() }
        let badWindow =
            try VigilCommand.parseAsRoot(["replay", "--predictions", "x", "--window", "1y"]) as! ReplayCommand
        #expect(throws: (any Error).self) { try badWindow.options() }
    }
}
