import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilServer

/// Data gates: a dataset passes or fails a named rule set, every violated rule named per column; checks are
/// recorded on their run; rules can be suggested from reference rows.
@Suite struct GateRoutesTests {
    static let rules = """
        {"columns": {"fare": {"type": "numeric", "max_missing_fraction": 0.01, "min": 0, "max": 500, "max_out_of_range_fraction": 0},
                     "payment": {"type": "categorical", "categories": ["card", "cash"], "max_unseen_fraction": 0}}}
        """

    /// 100 rows: `broken` adds 30 missing fares, 5 negative ones and 7 `crypto` payments.
    static func rows(broken: Bool) -> String {
        var lines = ["fare,payment"]
        for i in 0..<100 {
            var fare = String(5 + i % 40)
            var payment = i % 2 == 0 ? "card" : "cash"
            if broken, i < 30 { fare = "" }
            if broken, (30..<35).contains(i) { fare = "-3" }
            if broken, (40..<47).contains(i) { payment = "crypto" }
            lines.append("\(fare),\(payment)")
        }
        return lines.joined(separator: "\n")
    }

    @Test func goodDataPassesAndBrokenDataFailsNamingEachRule() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            #expect(try await client.send(.put, "/v1/gates/trips-gate", Self.rules).0 == .created)
            let (_, pass) = try await client.send(.post, "/v1/gates/trips-gate/check", Self.rows(broken: false))
            #expect(pass["verdict"] as? String == "pass" && pass["rows"] as? Int == 100, "\(pass)")

            let run = try await client.send(.post, "/v1/runs", #"{"namespace": "taxi", "job": "train", "state": "START"}"#).1
            let id = try #require((run["run"] as? [String: Any])?["run_id"] as? String)
            let (status, fail) = try await client.send(
                .post, "/v1/gates/trips-gate/check?run_id=\(id)&dataset=s3://lake/features.trips", Self.rows(broken: true))
            #expect(status == .ok)
            #expect(fail["verdict"] as? String == "fail")
            let columns = fail["columns"] as? [[String: Any]] ?? []
            var found: [String: [String]] = [:]
            for c in columns {
                found[c["column"] as! String] = (c["violations"] as? [[String: Any]] ?? []).map { $0["rule"] as! String }
            }
            #expect(Set(found["fare"] ?? []) == ["missing", "range"], "\(fail)")
            #expect(found["payment"] == ["categories"], "\(fail)")
            let missing = (columns.first { $0["column"] as? String == "fare" }?["violations"] as? [[String: Any]])?
                .first { $0["rule"] as? String == "missing" }
            #expect(missing?["observed"] as? Double == 0.3)
            // Recorded on the run and on the gate.
            let checks = try await client.send(.get, "/v1/runs/\(id)").1["gate_checks"] as? [[String: Any]]
            #expect(checks?.map { $0["verdict"] as? String } == ["fail"])
            #expect(checks?.first?["dataset"] as? String == "s3://lake/features.trips")
            let gate = try await client.send(.get, "/v1/gates/trips-gate").1
            #expect((gate["checks"] as? [[String: Any]])?.map { $0["verdict"] as? String } == ["fail", "pass"])
        }
    }

    @Test func rulesSuggestedFromAReferenceAndBadRequests() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let (status, gate) = try await client.send(.put, "/v1/gates/suggested?suggest=true", Self.rows(broken: false))
            #expect(status == .created)
            let payment = ((gate["rules"] as? [String: Any])?["columns"] as? [String: Any])?["payment"] as? [String: Any]
            #expect((payment?["categories"] as? [String])?.sorted() == ["card", "cash"])
            let (_, check) = try await client.send(.post, "/v1/gates/suggested/check", Self.rows(broken: true))
            #expect(check["verdict"] as? String == "fail")
            for (method, uri, body, status, code) in [
                (HTTPRequest.Method.post, "/v1/gates/nope/check", "a\n1", HTTPResponse.Status.notFound, "unknown_gate"),
                (.put, "/v1/gates/bad%20name", Self.rules, .badRequest, "invalid_name"),
                (.post, "/v1/gates/suggested/check", "", .badRequest, "empty_body"),
                (.put, "/v1/gates/x", #"{"columns": {"a": {"type": "numeric", "colour": 1}}}"#, .badRequest, "unknown_field"),
                (.put, "/v1/gates/x?suggest=maybe", "a\n1", .badRequest, "invalid_value"),
                (.post, "/v1/gates/suggested/check?colour=1", "a\n1", .badRequest, "unknown_parameter"),
            ] {
                let (got, answer) = try await client.send(method, uri, body)
                #expect(got == status, "\(uri): \(answer)")
                #expect((answer["error"] as? [String: Any])?["code"] as? String == code, "\(uri): \(answer)")
            }
            #expect(try await client.send(.delete, "/v1/gates/suggested").0 == .noContent)
            #expect(try await client.send(.get, "/v1/gates/suggested").0 == .notFound)
        }
    }

    @Test func aColumnProfileIsCheckedForWhatItShows() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            #expect(try await client.send(.put, "/v1/gates/trips-gate", Self.rules).0 == .created)
            let good = #"{"rows": 1000, "columns": {"fare": {"type": "numeric", "nulls": 5, "min": 2, "max": 480}, "payment": {"type": "categorical", "categories": {"card": 600, "cash": 400}}}}"#
            let (s1, pass) = try await client.send(.post, "/v1/gates/trips-gate/check?format=profile", good)
            #expect(s1 == .ok && pass["verdict"] as? String == "pass", "\(pass)")
            // 30 % null fares, a negative one, and 20 of 1000 payments in crypto.
            let bad = #"{"rows": 1000, "columns": {"fare": {"type": "numeric", "nulls": 300, "min": -3, "max": 480}, "payment": {"categories": {"card": 600, "cash": 380, "crypto": 20}}}}"#
            let fail = try await client.send(.post, "/v1/gates/trips-gate/check?format=profile", bad).1
            #expect(fail["verdict"] as? String == "fail")
            var found: [String: [String: Double]] = [:]
            for c in fail["columns"] as? [[String: Any]] ?? [] {
                for v in c["violations"] as? [[String: Any]] ?? [] {
                    found[c["column"] as! String, default: [:]][v["rule"] as! String] = v["observed"] as? Double
                }
            }
            #expect(found["fare"]?["missing"] == 0.3 && found["fare"]?["range"] != nil, "\(fail)")
            #expect(found["payment"] == ["categories": 0.02], "\(fail)")
            // A profile without one of the rules' columns: it lists every column, so fare is absent (all missing).
            let absent = try await client.send(
                .post, "/v1/gates/trips-gate/check?format=profile", #"{"rows": 10, "columns": {"payment": {}}}"#).1
            #expect((absent["columns"] as? [[String: Any]])?.first?["column"] as? String == "fare", "\(absent)")
            for (body, code) in [
                (#"{"rows": 10, "columns": {"fare": {"nulls": 11}}}"#, "invalid_value"),
                (#"{"rows": 10, "columns": {"fare": {"colour": 1}}}"#, "unknown_field"),
                (#"{"rows": "ten", "columns": {}}"#, "invalid_type"),
                (#"{"rows": 10, "columns": {"fare": {"min": true}}}"#, "invalid_type"),
            ] {
                let answer = try await client.send(.post, "/v1/gates/trips-gate/check?format=profile", body).1
                #expect((answer["error"] as? [String: Any])?["code"] as? String == code, "\(body): \(answer)")
            }
        }
    }
}
