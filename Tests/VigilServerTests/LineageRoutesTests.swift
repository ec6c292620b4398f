import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilServer

/// OpenLineage events in, as `openlineage-python` writes them (microsecond times with offsets, facets Vigil
/// does not read); jobs, runs and datasets out; the runs survive a restart.
@Suite struct LineageRoutesTests {
    static func event(_ type: String, _ time: String, run: String = "0b8f6c3e-1d1e-4d5e-9a0f-3f1c2b7a9e10",
                      job: String = "build-features", outputs: String = "[]") -> String
    {
        """
        {"eventType": "\(type)", "eventTime": "\(time)", "producer": "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python",
         "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
         "run": {"runId": "\(run)", "facets": {"nominalTime": {"nominalStartTime": "\(time)"}}},
         "job": {"namespace": "taxi", "name": "\(job)", "facets": {"sourceCodeLocation": {"type": "git", "url": "https://g/x", "version": "9f2c1e7"}}},
         "inputs": [{"namespace": "s3://lake", "name": "raw.trips", "facets": {},
                     "inputFacets": {"dataQualityMetrics": {"rowCount": 1000, "columnMetrics": {"fare": {"nullCount": 1, "quantiles": {}}}}}}],
         "outputs": \(outputs)}
        """
    }

    static let output = """
        [{"namespace": "s3://lake", "name": "features.trips",
          "facets": {"schema": {"fields": [{"name": "fare", "type": "double", "fields": []}]},
                     "dataQualityAssertions": {"assertions": [{"assertion": "not_null", "success": false, "column": "fare"}]}},
          "outputFacets": {"outputStatistics": {"rowCount": 998}}}]
        """

    @Test func eventsInAnyOrderMakeOneRunThatSurvivesARestart() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            // COMPLETE first, then START, then the START again (a transport retry).
            let complete = Self.event("COMPLETE", "2026-12-03T06:05:00.123456+00:00", outputs: Self.output)
            let start = Self.event("START", "2026-12-03T06:00:00.000001+00:00")
            for body in [complete, start, start] {
                let (status, answer) = try await client.send(.post, "/api/v1/lineage", body)
                #expect(status == .created, "\(answer)")
            }
        }
        try await harness.run { client in
            let jobs = try await client.send(.get, "/v1/jobs").1["jobs"] as? [[String: Any]] ?? []
            #expect(jobs.count == 1)
            let latest = jobs.first?["latest"] as? [String: Any]
            #expect(latest?["state"] as? String == "COMPLETE")
            #expect(latest?["started_at"] as? String == "2026-12-03T06:00:00Z")
            #expect(latest?["ended_at"] as? String == "2026-12-03T06:05:00.123Z")
            #expect(latest?["events"] as? Int == 3)
            #expect(latest?["code_version"] as? String == "9f2c1e7")
            let inputs = latest?["inputs"] as? [[String: Any]]
            #expect(inputs?.first?["row_count"] as? Int == 1000)
            #expect((inputs?.first?["null_counts"] as? [String: Int]) == ["fare": 1])

            let (status, dataset) = try await client.send(.get, "/v1/datasets/s3%3A%2F%2Flake/features.trips")
            #expect(status == .ok, "\(dataset)")
            let version = (dataset["versions"] as? [[String: Any]])?.first
            let facts = version?["facts"] as? [String: Any]
            #expect(facts?["row_count"] as? Int == 998)
            #expect((facts?["assertions"] as? [[String: Any]])?.first?["success"] as? Bool == false)
            let readers = try await client.send(.get, "/v1/datasets/s3%3A%2F%2Flake/raw.trips").1["consumers"] as? [[String: Any]]
            #expect(readers?.count == 1)
            let runs = try await client.send(.get, "/v1/jobs/taxi/build-features/runs").1["runs"] as? [[String: Any]]
            #expect(runs?.count == 1)
        }
    }

    @Test func plainRunsFromScriptsAndTheirErrors() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let (status, started) = try await client.send(
                .post, "/v1/runs", #"{"namespace": "taxi", "job": "train", "state": "start", "time": "2026-12-03T07:00:00Z"}"#)
            #expect(status == .created, "\(started)")
            let id = try #require((started["run"] as? [String: Any])?["run_id"] as? String)
            let failed = #"{"namespace": "taxi", "job": "train", "run_id": "\#(id)", "state": "FAIL", "time": "2026-12-03T07:10:00Z", "error": "OOM"}"#
            #expect(try await client.send(.post, "/v1/runs", failed).0 == .created)
            let run = try await client.send(.get, "/v1/runs/\(id)").1
            #expect(run["state"] as? String == "FAIL" && run["error_message"] as? String == "OOM")
            #expect(try await client.send(.get, "/v1/runs/nope").0 == .notFound)
            #expect(try await client.send(.get, "/v1/jobs/taxi/nope/runs").0 == .notFound)
            #expect(try await client.send(.get, "/v1/datasets/x/y").0 == .notFound)
        }
    }

    @Test func malformedEventsAreRefusedNamingTheField() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let good = Self.event("START", "2026-12-03T06:00:00Z")
            func without(_ key: String) -> String {
                var o = try! JSONSerialization.jsonObject(with: Data(good.utf8)) as! [String: Any]
                o[key] = nil
                return String(decoding: try! JSONSerialization.data(withJSONObject: o), as: UTF8.self)
            }
            for (path, body, code, field) in [
                ("/api/v1/lineage", good.replacingOccurrences(of: "\"START\"", with: "\"BEGIN\""), "invalid_value", "eventType"),
                ("/api/v1/lineage", good.replacingOccurrences(of: "2026-12-03T06:00:00Z", with: "yesterday"), "invalid_value", "eventTime"),
                ("/api/v1/lineage", good.replacingOccurrences(of: "\"name\": \"build-features\"", with: "\"name\": \"\""), "missing_field", "job.name"),
                ("/api/v1/lineage", without("eventTime"), "missing_field", "eventTime"),
                ("/api/v1/lineage", good.replacingOccurrences(of: "\"outputs\": []", with: "\"outputs\": 7"), "invalid_type", "outputs"),
                ("/api/v1/lineage", good.replacingOccurrences(of: "\"producer\"", with: "\"colour\""), "unknown_field", "colour"),
                ("/api/v1/lineage", "[1, 2]", "malformed_json", "OpenLineage"),
                ("/v1/runs", #"{"namespace": "taxi", "job": "t", "state": "DONE"}"#, "invalid_value", "state"),
                ("/v1/runs", #"{"namespace": "taxi", "job": "t", "state": "START", "owner": "me"}"#, "unknown_field", "owner"),
                ("/v1/runs", #"{"namespace": "taxi", "job": "t", "state": "START", "inputs": [{"namespace": "a", "name": "b", "row_count": -1}]}"#, "invalid_type", "inputs[0].row_count"),
            ] {
                let (status, answer) = try await client.send(.post, path, body)
                let error = answer["error"] as? [String: Any]
                #expect(status == .badRequest, "\(field): \(answer)")
                #expect(error?["code"] as? String == code, "\(field): \(answer)")
                #expect((error?["message"] as? String)?.contains(field) == true, "\(field): \(answer)")
            }
            // Nothing was stored by the refusals; a static DatasetEvent is accepted and not stored.
            #expect((try await client.send(.get, "/v1/jobs").1["jobs"] as? [Any])?.isEmpty == true)
            let datasetEvent = #"{"eventTime": "2026-12-03T06:00:00Z", "producer": "p", "schemaURL": "s", "dataset": {"namespace": "a", "name": "b"}}"#
            let (status, answer) = try await client.send(.post, "/api/v1/lineage", datasetEvent)
            #expect(status == .ok && answer["stored"] as? Bool == false, "\(answer)")
        }
    }
}
