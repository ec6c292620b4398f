import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilServer

/// Pipeline SLOs over HTTP: a dataset's freshness, a job's cadence, success rate and heartbeat, a gate's pass
/// rate, each from the runs, heartbeats and checks recorded; backtested over that history; gates declared on
/// a job checked when its runs complete; all of it kept across a restart.
@Suite struct PipelineSLOTests {
    /// A feature job writing `lake/features.trips` every 2 hours from 00:00 to 10:00 on Nov 1 (10-minute
    /// runs); the 06:00 run fails. Then it stops.
    static func runs() -> [String] {
        (0...5).flatMap { i -> [String] in
            let hour = String(format: "%02d", i * 2)
            let end = i == 3 ? "FAIL" : "COMPLETE"
            let outputs = #"[{"namespace": "lake", "name": "features.trips", "row_count": 1000}]"#
            return [
                #"{"namespace": "taxi", "job": "build-features", "run_id": "f\#(i)", "state": "START", "time": "2026-11-01T\#(hour):00:00Z"}"#,
                #"{"namespace": "taxi", "job": "build-features", "run_id": "f\#(i)", "state": "\#(end)", "time": "2026-11-01T\#(hour):10:00Z", "outputs": \#(outputs)}"#,
            ]
        }
    }

    static let slos: [(String, String)] = [
        ("trips-fresh", #"{"sli": "dataset.freshness", "dataset": {"namespace": "lake", "name": "features.trips"}, "objective": "<= 10800", "window": "1d"}"#),
        ("features-cadence", #"{"sli": "job.cadence", "job": {"namespace": "taxi", "name": "build-features"}, "objective": "<= 10800", "window": "1d"}"#),
        ("features-success", #"{"sli": "job.success_rate", "job": {"namespace": "taxi", "name": "build-features"}, "objective": ">= 0.5", "window": "1d"}"#),
        ("scorer-alive", #"{"sli": "job.heartbeat", "job": {"namespace": "taxi", "name": "scorer"}, "objective": "<= 600", "window": "1d"}"#),
    ]

    @Test func freshnessCadenceSuccessAndHeartbeatFromRecordedHistory() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            for run in Self.runs() { #expect(try await client.send(.post, "/v1/runs", run).0 == .created) }
            for (name, body) in Self.slos {
                let (status, answer) = try await client.send(.put, "/v1/slos/\(name)", body)
                #expect(status == .created, "\(answer)")
            }
            // 12:00: the last write (10:10) is 1 h 50 min old; cadence counts the last success too.
            let noon = try await client.send(.get, "/v1/slos/trips-fresh?to=2026-11-01T12:00:00Z").1
            #expect(Self.value(noon)?["value"] as? Double == 6600)
            #expect(Self.verdict(noon) == "ok")
            // 16:00: 5 h 50 min, breached.
            let later = try await client.send(.get, "/v1/slos/features-cadence?to=2026-11-01T16:00:00Z").1
            #expect(Self.value(later)?["value"] as? Double == 21_000)
            #expect(Self.verdict(later) == "breached", "\(later)")
            // Five of six runs completed.
            let success = try await client.send(.get, "/v1/slos/features-success?to=2026-11-01T16:00:00Z").1
            #expect(Self.value(success)?["value"] as? Double == 5.0 / 6)
            #expect(Self.value(success)?["n"] as? Int == 6)

            // The backtest fires the freshness alert at 08:00 (the 06:00 run failed, so the data dates from 04:10),
            // resolves it at 09:00 (the 08:00 run wrote at 08:10), and fires it again at 14:00 when the job has
            // stopped: at 13:00 the data was 2 h 50 min old, at 14:00 3 h 50.
            let (b, backtest) = try await client.send(.get, "/v1/slos/trips-fresh/backtest?from=2026-11-01T00:00:00Z&to=2026-11-01T20:00:00Z&step=1h")
            #expect(b == .ok, "\(backtest)")
            let transitions = (backtest["backtest"] as? [String: Any])?["transitions"] as? [[String: Any]] ?? []
            #expect(transitions.map { $0["to"] as? String } == ["firing", "resolved", "firing"], "\(transitions)")
            #expect(
                transitions.map { $0["at"] as? String }
                    == ["2026-11-01T08:00:00Z", "2026-11-01T09:00:00Z", "2026-11-01T14:00:00Z"])
            let alert = transitions.last?["alert"] as? [String: Any]
            #expect(alert?["subject"] as? String == "lake/features.trips")
            #expect((alert?["summary"] as? String)?.hasPrefix("dataset lake/features.trips: SLO trips-fresh") == true)

            // The dead man's switch: heartbeats at 08:00 and 08:05; at 08:20 the scorer has been quiet 15 min.
            for t in ["2026-11-01T08:00:00Z", "2026-11-01T08:05:00Z"] {
                let (status, beat) = try await client.send(.post, "/v1/jobs/taxi/scorer/heartbeat", #"{"time": "\#(t)"}"#)
                #expect(status == .accepted, "\(beat)")
            }
            let quiet = try await client.send(.get, "/v1/slos/scorer-alive?to=2026-11-01T08:20:00Z").1
            #expect(Self.value(quiet)?["value"] as? Double == 900)
            #expect(Self.verdict(quiet) == "breached")
            #expect(Self.verdict(try await client.send(.get, "/v1/slos/scorer-alive?to=2026-11-01T08:09:00Z").1) == "ok")
            let metrics = try await client.text("/metrics")
            #expect(metrics.contains(#"subject="lake/features.trips""#))
        }
        // A restart keeps the runs, heartbeats and SLOs.
        try await harness.run { client in
            let quiet = try await client.send(.get, "/v1/slos/scorer-alive?to=2026-11-01T08:20:00Z").1
            #expect(Self.value(quiet)?["value"] as? Double == 900)
            let noon = try await client.send(.get, "/v1/slos/trips-fresh?to=2026-11-01T12:00:00Z").1
            #expect(Self.value(noon)?["value"] as? Double == 6600)
        }
    }

    @Test func gatesDeclaredOnAJobCheckItsOutputsWhenItsRunsComplete() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            #expect(try await client.send(.put, "/v1/gates/trips-gate", GateRoutesTests.rules).0 == .created)
            let (declared, gates) = try await client.send(.put, "/v1/jobs/taxi/build-features/gates", #"{"gates": ["trips-gate"]}"#)
            #expect(declared == .ok && gates["gates"] as? [String] == ["trips-gate"], "\(gates)")
            let gateSLO = #"{"sli": "gate.pass_rate", "gate": "trips-gate", "objective": ">= 0.9", "window": "30d"}"#
            #expect(try await client.send(.put, "/v1/slos/trips-gate-pass", gateSLO).0 == .created)
            // A run reporting 300 null fares in 1000 rows fails the gate (fare allows 1 %).
            let broken = """
                {"namespace": "taxi", "job": "build-features", "run_id": "bad", "state": "COMPLETE", "time": "2026-11-02T00:00:00Z",
                 "outputs": [{"namespace": "lake", "name": "features.trips", "row_count": 1000}]}
                """
            let (status, answer) = try await client.send(.post, "/v1/runs", broken)
            #expect(status == .created)
            // A plain run carries only a row count: the rules' columns went unchecked, which is no pass.
            let checks = answer["gate_checks"] as? [[String: Any]] ?? []
            #expect(checks.map { $0["verdict"] as? String } == ["fail"], "\(answer)")
            let unchecked = (checks.first?["columns"] as? [[String: Any]] ?? []).map { $0["column"] as? String }
            #expect(Set(unchecked) == ["fare", "payment"])

            // OpenLineage facets say more: schema and null counts.
            let event = Self.openLineage(runId: "0190a5d4-0000-7000-8000-000000000001", nullFares: 300)
            let (s2, a2) = try await client.send(.post, "/api/v1/lineage", event)
            #expect(s2 == .created, "\(a2)")
            let check = (a2["gate_checks"] as? [[String: Any]])?.first
            #expect(check?["verdict"] as? String == "fail", "\(a2)")
            var found: [String: [String]] = [:]
            for c in check?["columns"] as? [[String: Any]] ?? [] {
                found[c["column"] as! String] = (c["violations"] as? [[String: Any]] ?? []).map { $0["rule"] as! String }
            }
            // fare: 30 % null, 1 % allowed. payment is absent from the schema, but its rule sets no missing limit.
            #expect(found == ["fare": ["missing"]], "\(found)")
            // The same COMPLETE again checks nothing new.
            let again = try await client.send(.post, "/api/v1/lineage", event).1
            #expect((again["gate_checks"] as? [Any])?.isEmpty == true)
            // A run whose facets show the data fine passes.
            let good = Self.openLineage(runId: "0190a5d4-0000-7000-8000-000000000002", nullFares: 2, payment: true)
            let passed = (try await client.send(.post, "/api/v1/lineage", good).1["gate_checks"] as? [[String: Any]])?.first
            #expect(passed?["verdict"] as? String == "pass", "\(String(describing: passed))")
            // One pass in three checks: the gate's pass rate is an SLO event like any other.
            let slo = try await client.send(.get, "/v1/slos/trips-gate-pass?to=2026-11-03T00:00:00Z").1
            #expect(Self.value(slo)?["value"] as? Double == 1.0 / 3)
            #expect(Self.verdict(slo) == "breached", "\(slo)")
        }
    }

    static func openLineage(runId: String, nullFares: Int, payment: Bool = false) -> String {
        let paymentField = payment ? #", {"name": "payment", "type": "string"}"# : ""
        return """
        {"eventType": "COMPLETE", "eventTime": "2026-11-02T01:00:00Z", "producer": "https://example.com/test",
         "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent",
         "run": {"runId": "\(runId)"}, "job": {"namespace": "taxi", "name": "build-features"},
         "outputs": [{"namespace": "lake", "name": "features.trips", "facets": {
            "schema": {"fields": [{"name": "fare", "type": "double"}, {"name": "distance", "type": "double"}\(paymentField)]}},
            "outputFacets": {"outputStatistics": {"rowCount": 1000},
                             "dataQualityMetrics": {"rowCount": 1000, "columnMetrics": {"fare": {"nullCount": \(nullFares)}}}},
            "inputFacets": {}}],
         "inputs": []}
        """
    }

    static func value(_ slo: [String: Any]) -> [String: Any]? { (slo["status"] as? [String: Any])?["value"] as? [String: Any] }
    static func verdict(_ slo: [String: Any]) -> String? { (slo["status"] as? [String: Any])?["verdict"] as? String }
}
