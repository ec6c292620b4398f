import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilServer

/// References, rules, quality, drift and estimated performance over HTTP, against scipy's values.
@Suite struct DriftRoutesTests {
    static let lastWeek = "from=2020-02-23T00:00:00Z&to=2020-03-01T00:00:00Z"
    static var expected: [String: Any] { TaxiFixture.expected["drift"] as! [String: Any] }

    static func column(_ body: [String: Any], _ name: String) -> [String: Any]? {
        (body["columns"] as? [[String: Any]])?.first { $0["column"] as? String == name }
    }

    static func checkDrift(_ client: some TestClientProtocol) async throws {
        let (status, body) = try await client.send(.get, "/v1/models/taxi-tip/drift?\(Self.lastWeek)")
        #expect(status == .ok, "\(body)")
        #expect(body["current_rows"] as? Int == 4900)
        #expect((body["drifted"] as? [String])?.prefix(3) == ["trip_distance", "fare_amount", "payment_type"])
        for (name, e) in Self.expected["numeric"] as! [String: [String: Any]] {
            let c = column(body, name)
            for key in ["psi", "ks_statistic", "wasserstein", "js_distance"] {
                expectClose((c?[key] as? NSNumber)?.doubleValue, e[key], "\(name) \(key)")
            }
            expectClose((c?["ks_pvalue"] as? NSNumber)?.doubleValue, e["ks_pvalue"], "\(name) ks p", tolerance: 1e-6)
        }
        for (name, e) in Self.expected["categorical"] as! [String: [String: Any]] {
            let c = column(body, name)
            expectClose(
                (c?["chi2_pvalue"] as? NSNumber)?.doubleValue, e["chi2_pvalue"], "\(name) chi2 p", tolerance: 1e-6)
            #expect(c?["unseen_categories"] as? [String] == e["unseen_categories"] as? [String])
        }
    }

    @Test func referenceDriftQualityAndRestart() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let (noRef, noRefBody) = try await client.send(.get, "/v1/models/taxi-tip/drift")
            #expect(noRef == .notFound, "\(noRefBody)")
            let (put, summary) = try await client.send(.put, "/v1/models/taxi-tip/reference", TaxiFixture.referenceCSV)
            #expect(put == .created, "\(summary)")
            #expect(summary["rows"] as? Int == 5000)
            #expect((summary["source"] as? [String: Any])?["format"] as? String == "csv")
            let (noModel, _) = try await client.send(.get, "/v1/models/taxi-tip/drift?\(Self.lastWeek)")
            #expect(noModel == .notFound)
            try await client.ingestTaxi()
            try await Self.checkDrift(client)

            let (q, quality) = try await client.send(.get, "/v1/models/taxi-tip/quality?\(Self.lastWeek)")
            #expect(q == .ok, "\(quality)")
            #expect(quality["rules"] as? String == "suggested")
            let payment = Self.column(quality, "payment_type")
            #expect((payment?["unseen_examples"] as? [[String: Any]])?.first?["value"] as? String == "crypto")
            let passengers = Self.column(quality, "passenger_count")
            #expect((passengers?["violations"] as? [[String: Any]])?.first?["rule"] as? String == "missing")
            expectClose((passengers?["missing_fraction"] as? NSNumber)?.doubleValue, 0.08510204081632652, "missing")

            let (e, estimate) = try await client.send(
                .get, "/v1/models/taxi-tip/estimated-performance?\(Self.lastWeek)&version=v2")
            #expect(e == .ok, "\(estimate)")
            // About 80% of the fixture's predictions get a label: the rest are estimated from their scores.
            let (labeled, estimated) = (estimate["labeled"] as? Int ?? 0, estimate["estimated"] as? Int ?? 0)
            #expect(labeled > 0 && estimated > 0 && labeled + estimated == estimate["count"] as? Int)
            let blended = (estimate["blended"] as? [String: Any])?["accuracy"] as? [String: Any]
            #expect((blended?["lower"] as? Double ?? 1) < (blended?["upper"] as? Double ?? 0))
        }
        // A restart keeps the reference (SQLite) and the profiles (snapshot + log).
        try await harness.run { client in try await Self.checkDrift(client) }
    }

    @Test func rulesAreSuggestedEditedAndValidated() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let (none, _) = try await client.send(.get, "/v1/models/taxi-tip/rules")
            #expect(none == .notFound)
            _ = try await client.send(.put, "/v1/models/taxi-tip/reference", TaxiFixture.referenceCSV)
            let (s, suggested) = try await client.send(.get, "/v1/models/taxi-tip/rules")
            #expect(s == .ok)
            #expect(suggested["source"] as? String == "suggested")
            let rules = suggested["rules"] as? [String: Any]
            let payment = (rules?["columns"] as? [String: Any])?["payment_type"] as? [String: Any]
            #expect(payment?["categories"] as? [String] == ["card", "cash", "dispute", "no_charge"])

            let (unknown, unknownBody) = try await client.send(
                .put, "/v1/models/taxi-tip/rules", #"{"columns": {"x": {"type": "numeric", "maxi": 3}}}"#)
            #expect(unknown == .badRequest)
            let details = (unknownBody["error"] as? [String: Any])?["details"] as? [[String: Any]]
            #expect(details?.first?["field"] as? String == "columns.x.maxi")
            let (invalid, invalidBody) = try await client.send(
                .put, "/v1/models/taxi-tip/rules", #"{"columns": {"x": {"type": "numeric", "min": 3, "max": 1}}}"#)
            #expect(invalid == .badRequest)
            #expect(((invalidBody["error"] as? [String: Any])?["message"] as? String)?.contains("min (3.0)") == true)

            // Allow crypto and ignore missing passenger counts: the last week then breaks no category rule.
            let edited = #"""
                {"columns": {"payment_type": {"type": "categorical", "categories": ["card", "cash", "crypto", "dispute", "no_charge"]},
                             "passenger_count": {"type": "numeric", "drift": {"statistic": "ks_pvalue", "threshold": 0.01}}}}
                """#
            let (p, stored) = try await client.send(.put, "/v1/models/taxi-tip/rules", edited)
            #expect(p == .ok, "\(stored)")
            try await client.ingestTaxi()
            let (_, quality) = try await client.send(.get, "/v1/models/taxi-tip/quality?\(Self.lastWeek)")
            #expect(quality["rules"] as? String == "user")
            #expect((Self.column(quality, "payment_type")?["violations"] as? [Any])?.isEmpty == true)
            let (_, drift) = try await client.send(.get, "/v1/models/taxi-tip/drift?\(Self.lastWeek)")
            let threshold = Self.column(drift, "passenger_count")?["threshold"] as? [String: Any]
            #expect(threshold?["statistic"] as? String == "ks_pvalue")
            let (d, _) = try await client.send(.delete, "/v1/models/taxi-tip/rules")
            #expect(d == .noContent)
            let (_, after) = try await client.send(.get, "/v1/models/taxi-tip/rules")
            #expect(after["source"] as? String == "suggested")
        }
    }

    @Test func referenceFromServedWindowAndBadUploads() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            try await client.ingestTaxi()
            let (p, summary) = try await client.send(
                .put, "/v1/models/taxi-tip/reference?from=2020-02-01T00:00:00Z&to=2020-02-08T00:00:00Z")
            #expect(p == .created, "\(summary)")
            #expect(summary["rows"] as? Int == 4753)
            #expect((summary["source"] as? [String: Any])?["type"] as? String == "window")
            // The first week against itself: nothing drifted.
            let (_, same) = try await client.send(
                .get, "/v1/models/taxi-tip/drift?from=2020-02-01T00:00:00Z&to=2020-02-08T00:00:00Z")
            #expect(same["drifted"] as? [String] == [])
            let (_, later) = try await client.send(.get, "/v1/models/taxi-tip/drift?\(Self.lastWeek)")
            #expect((later["drifted"] as? [String])?.contains("trip_distance") == true)

            let (bad, badBody) = try await client.send(.put, "/v1/models/taxi-tip/reference", "a,b\n1,2\n3\n")
            #expect(bad == .badRequest)
            #expect(((badBody["error"] as? [String: Any])?["message"] as? String)?.contains("line 3") == true)
            let (empty, _) = try await client.send(.put, "/v1/models/taxi-tip/reference", "")
            #expect(empty == .badRequest)
            let (both, _) = try await client.send(
                .put, "/v1/models/taxi-tip/reference?window=7d", TaxiFixture.referenceCSV)
            #expect(both == .badRequest)
            let (param, _) = try await client.send(.get, "/v1/models/taxi-tip/drift?names=x")
            #expect(param == .badRequest)
            let (json, jsonBody) = try await client.send(
                .put, "/v1/models/taxi-tip/reference",
                #"[{"trip_distance": 1.5, "payment_type": "card"}, {"trip_distance": 2}]"#)
            #expect(json == .created, "\(jsonBody)")
            #expect((jsonBody["source"] as? [String: Any])?["format"] as? String == "ndjson")
        }
    }
}
