import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilServer

/// SLO definitions, status (now and as of a past time), backtests and bad input over HTTP.
@Suite struct SLORoutesTests {
    static let accuracySLO = """
        {"model": "taxi-tip", "version": "v1", "owner": "pricing-ml", "labels": {"team": "pricing"},
         "sli": "accuracy", "objective": ">= 0.70", "window": "7d", "min_samples": 200}
        """

    static func status(_ body: [String: Any]) -> [String: Any]? { body["status"] as? [String: Any] }
    static func value(_ body: [String: Any]) -> [String: Any]? { status(body)?["value"] as? [String: Any] }

    /// `?to=T` judges the window ending at T with every label received so far: the same value as the metrics API
    /// over that window, which is what the dashboard shows for a replay of historical data.
    @Test func statusOverTheWindowEndingAtAGivenTime() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            try await client.ingestTaxi()
            _ = try await client.send(.put, "/v1/slos/taxi-accuracy", Self.accuracySLO)
            let end = "2020-03-01T00:00:00Z"
            let (_, metrics) = try await client.send(
                .get, "/v1/models/taxi-tip/metrics?window=7d&to=\(end)&version=v1&names=accuracy")
            let accuracy =
                ((metrics["window"] as? [String: Any])?["metrics"] as? [String: Any])?["accuracy"]
                as? [String: Any]
            let (status, one) = try await client.send(.get, "/v1/slos/taxi-accuracy?to=\(end)")
            #expect(status == .ok, "\(one)")
            #expect(Self.value(one)?["value"] as? Double == accuracy?["value"] as? Double)
            #expect(Self.value(one)?["n"] as? Int == accuracy?["n"] as? Int)
            #expect(Self.status(one)?["at"] as? String == end)
            let (_, list) = try await client.send(.get, "/v1/slos?to=\(end)")
            let listed = (list["slos"] as? [[String: Any]])?.first
            #expect((listed.flatMap(Self.value))?["value"] as? Double == accuracy?["value"] as? Double)
            let (both, error) = try await client.send(.get, "/v1/slos/taxi-accuracy?to=\(end)&at=\(end)")
            #expect(
                both == .badRequest && (error["error"] as? [String: Any])?["code"] as? String == "invalid_parameter")
        }
    }

    @Test func definitionsBacktestAsOfAndRestart() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let (created, def) = try await client.send(.put, "/v1/slos/taxi-accuracy", Self.accuracySLO)
            #expect(created == .created, "\(def)")
            #expect((def["warnings"] as? [String])?.count == 2)
            #expect(
                (def["rules"] as? [[String: Any]])?.map { $0["name"] as? String } == [
                    "page-1h", "page-6h", "ticket-3d",
                ])
            let (replaced, _) = try await client.send(.put, "/v1/slos/taxi-accuracy", Self.accuracySLO)
            #expect(replaced == .ok)

            // Before any data: no verdict on no evidence.
            let (_, empty) = try await client.send(.get, "/v1/slos/taxi-accuracy")
            #expect(Self.status(empty)?["verdict"] as? String == "insufficient_data")

            try await client.ingestTaxi()
            // Once the model is known, a metric SLI must name one of its metrics.
            let typo = Self.accuracySLO.replacingOccurrences(of: "\"accuracy\"", with: "\"acuracy\"")
            let (t, typoBody) = try await client.send(.put, "/v1/slos/typo", typo)
            #expect(t == .badRequest && (typoBody["error"] as? [String: Any])?["code"] as? String == "invalid_sli")
            #expect(
                ((typoBody["error"] as? [String: Any])?["message"] as? String)?.contains("unknown metric 'acuracy'")
                    == true)

            // The backtest over HTTP finds the one transition pandas finds (Tests/Reference/taxi_slo_backtest.py).
            let (b, backtest) = try await client.send(
                .get, "/v1/slos/taxi-accuracy/backtest?from=2020-02-01T00:00:00Z&to=2020-03-02T00:00:00Z&step=1h")
            #expect(b == .ok, "\(backtest)")
            let result = backtest["backtest"] as? [String: Any]
            let transitions = result?["transitions"] as? [[String: Any]] ?? []
            #expect(transitions.count == 1)
            #expect(transitions.first?["at"] as? String == "2020-02-25T13:00:00Z")
            #expect(transitions.first?["to"] as? String == "firing")
            #expect((result?["points"] as? [Any])?.count == 721)

            // As of Feb 11 the day before had 101 of 668 predictions labeled (expected.json as_of): 15 % is
            // below min_label_coverage 0.2, so the day is not judged healthy.
            let oneDay = """
                {"model": "taxi-tip", "sli": "accuracy", "objective": ">= 0.6", "window": "1d", "min_samples": 50,
                 "min_label_coverage": 0.2}
                """
            #expect(try await client.send(.put, "/v1/slos/taxi-day", oneDay).0 == .created)
            let (a, asOf) = try await client.send(.get, "/v1/slos/taxi-day?at=2020-02-11T00:00:00Z")
            #expect(a == .ok, "\(asOf)")
            let expected = TaxiFixture.expected["as_of"] as! [String: Any]
            #expect(Self.value(asOf)?["n"] as? Int == expected["labeled_count"] as? Int)
            expectClose((Self.value(asOf)?["value"] as? NSNumber)?.doubleValue, expected["accuracy"], "as-of accuracy")
            expectClose(
                (Self.value(asOf)?["label_coverage"] as? NSNumber)?.doubleValue, expected["label_coverage"],
                "as-of coverage")
            #expect(Self.status(asOf)?["verdict"] as? String == "insufficient_data")
            #expect(asOf["as_of"] as? String == "2020-02-11T00:00:00Z")
        }
        // Definitions survive a restart.
        try await harness.run { client in
            let (s, list) = try await client.send(.get, "/v1/slos")
            #expect(s == .ok)
            #expect(
                (list["slos"] as? [[String: Any]])?.compactMap { ($0["slo"] as? [String: Any])?["name"] as? String }
                    == ["taxi-accuracy", "taxi-day"])
            #expect(try await client.send(.delete, "/v1/slos/taxi-day").0 == .noContent)
            #expect(try await client.send(.get, "/v1/slos/taxi-day").0 == .notFound)
        }
    }

    @Test(arguments: [
        (#"{"model": "m", "sli": "accuracy", "objective": ">= 0.9", "windw": "1d"}"#, "unknown_field", "windw"),
        (#"{"model": "m", "sli": "accuracy", "objective": ">= 1"}"#, "invalid_objective", "no error budget"),
        (#"{"model": "m", "sli": "accuracy", "objective": "at least 0.9"}"#, "invalid_objective", "'>= 0.9'"),
        (#"{"model": "m", "sli": "drift.x.bogus", "objective": "<= 0.2"}"#, "invalid_sli", "drift.COLUMN.STATISTIC"),
        (
            #"{"model": "m", "sli": "accuracy", "objective": ">= 0.9", "window": "30 days"}"#, "invalid_window",
            "30 days"
        ),
        (
            #"{"model": "m", "sli": "drift.x.psi", "objective": "<= 0.2", "alerts": [{"name": "b", "burn_rate": 2, "long_window": "1h"}]}"#,
            "invalid_rule", "alerts[0].burn_rate"
        ),
        (
            #"{"model": "m", "sli": "accuracy", "objective": ">= 0.9", "alerts": [{"name": "x", "sevrity": "page"}]}"#,
            "unknown_field", "alerts[0].sevrity"
        ),
        (#"{"model": "m", "sli": "accuracy", "objective": 0.9}"#, "invalid_slo", "objective"),
        ("not json", "malformed_json", "JSON object"),
    ])
    func badDefinitionsNameTheProblem(body: String, code: String, mention: String) async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let (status, response) = try await client.send(.put, "/v1/slos/bad", body)
            let error = response["error"] as? [String: Any]
            #expect(status == .badRequest, "\(response)")
            #expect(error?["code"] as? String == code, "\(response)")
            #expect((error?["message"] as? String)?.contains(mention) == true, "\(response)")
            #expect(try await client.send(.get, "/v1/slos/bad").0 == .notFound)
            let (p, unknown) = try await client.send(.get, "/v1/slos?at=now")
            #expect(p == .badRequest && (unknown["error"] as? [String: Any])?["code"] as? String == "unknown_parameter")
        }
    }
}
