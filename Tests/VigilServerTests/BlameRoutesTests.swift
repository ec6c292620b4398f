import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilServer

/// Flagged outputs weighed against unflagged ones over each version's lineage: the run that wrote the broken
/// training data of v2 ranks first; a dataset both versions read explains nothing.
@Suite struct BlameRoutesTests {
    static func run(_ id: String, _ job: String, _ time: String, inputs: [String] = [], outputs: [String] = []) -> String {
        func list(_ names: [String]) -> String {
            "[" + names.map { #"{"namespace": "s3://lake", "name": "\#($0)"}"# }.joined(separator: ", ") + "]"
        }
        return #"{"namespace": "taxi", "job": "\#(job)", "run_id": "\#(id)", "state": "COMPLETE", "time": "\#(time)", "inputs": \#(list(inputs)), "outputs": \#(list(outputs))}"#
    }

    static func predictions(_ prefix: String, version: String) -> String {
        (0..<100).map { i in
            let t = "2026-12-02T\(10 + i / 60):\(String(format: "%02d", i % 60)):00Z"
            return #"{"id": "\#(prefix)-\#(i)", "ts": "\#(t)", "model": "fraud", "version": "\#(version)", "score": 0.5}"#
        }.joined(separator: "\n")
    }

    @Test func theRunThatBrokeTheTrainingDataRanksFirst() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            for body in [
                Self.run("weather-1", "weather", "2026-11-29T00:00:00Z", outputs: ["raw.weather"]),
                Self.run("feat-0", "build-features", "2026-11-30T02:00:00Z", outputs: ["features.trips"]),
                Self.run("train-6", "train", "2026-11-30T05:00:00Z", inputs: ["features.trips", "raw.weather"]),
                Self.run("feat-1", "build-features", "2026-12-01T02:00:00Z", outputs: ["features.trips"]),
                Self.run("train-7", "train", "2026-12-01T05:00:00Z", inputs: ["features.trips", "raw.weather"]),
            ] {
                #expect(try await client.send(.post, "/v1/runs", body).0 == .created)
            }
            let rules = #"{"columns": {"fare": {"type": "numeric", "max_missing_fraction": 0}}}"#
            #expect(try await client.send(.put, "/v1/gates/trips-gate", rules).0 == .created)
            #expect(try await client.send(.post, "/v1/gates/trips-gate/check?run_id=feat-1", "fare,x\n,1\n3,2").1["verdict"] as? String == "fail")
            for (version, stage, run) in [("v1", "primary", "train-6"), ("v2", "canary", "train-7")] {
                let deployment = #"{"stage": "\#(stage)", "training_run": "\#(run)"}"#
                let (status, answer) = try await client.send(.put, "/v1/models/fraud/deployments/\(version)", deployment)
                #expect(status == .created, "\(answer)")
            }
            #expect(try await client.send(.post, "/v1/predictions", Self.predictions("p", version: "v1")).0 == .ok)
            #expect(try await client.send(.post, "/v1/predictions", Self.predictions("q", version: "v2")).0 == .ok)

            // 40 of v2's outputs and 5 of v1's by id (one unknown id answered, not stored); 20 more of v1's by range.
            let ids = (0..<40).map { "\"q-\($0)\"" } + (0..<5).map { "\"p-\($0)\"" } + ["\"nope\""]
            let (s1, byId) = try await client.send(.post, "/v1/flags", #"{"model": "fraud", "prediction_ids": [\#(ids.joined(separator: ", "))], "reason": "chargebacks"}"#)
            #expect(s1 == .created, "\(byId)")
            #expect(byId["unknown"] as? [String] == ["nope"])
            let range = #"{"model": "fraud", "from": "2026-12-02T11:00:00Z", "to": "2026-12-02T11:20:00Z", "version": "v1"}"#
            #expect(try await client.send(.post, "/v1/flags", range).0 == .created)

            let (status, blame) = try await client.send(.get, "/v1/blame?model=fraud&from=2026-12-02T00:00:00Z&to=2026-12-03T00:00:00Z")
            #expect(status == .ok, "\(blame)")
            #expect(blame["outputs"] as? Int == 200 && blame["flagged"] as? Int == 65, "\(blame)")
            let ranked = blame["ranked"] as? [[String: Any]] ?? []
            let ids0 = ranked.map { ($0["node"] as? [String: Any])?["id"] as? String ?? "" }
            // v2's lineage first, led by the run with the failed gate, then upstream before downstream.
            #expect(
                Array(ids0.prefix(4)) == [
                    "run:feat-1", "dataset:s3://lake/features.trips@run feat-1", "run:train-7", "version:fraud@v2",
                ], "\(ids0)")
            let top = ranked.first
            // 40 of 65 flagged outputs pass through it, 60 of 135 unflagged ones.
            #expect(abs((top?["flagged_share"] as? Double ?? 0) - 40.0 / 65) < 1e-12)
            #expect(abs((top?["unflagged_share"] as? Double ?? 0) - 60.0 / 135) < 1e-12)
            #expect(abs((top?["lift"] as? Double ?? 0) - (40.0 / 65) / (60.0 / 135)) < 1e-12)
            // Both versions read raw.weather: every output passes through it, so it explains nothing.
            let weather = ranked.first { ($0["node"] as? [String: Any])?["id"] as? String == "dataset:s3://lake/raw.weather@run weather-1" }
            #expect(weather?["flagged_share"] as? Double == 1 && weather?["lift"] as? Double == 1)
            #expect(weather?["excess"] as? Double == 0)

            // Bad requests name the problem.
            for (body, code) in [
                (#"{"model": "fraud"}"#, "missing_field"),
                (#"{"model": "nope", "prediction_ids": ["q-1"]}"#, "unknown_model"),
                (#"{"model": "fraud", "prediction_ids": ["x"]}"#, "unknown_prediction"),
                (#"{"model": "fraud", "prediction_ids": ["q-1"], "from": "2026-12-02T00:00:00Z"}"#, "invalid_field"),
                (#"{"model": "fraud", "from": "2026-12-02T02:00:00Z", "to": "2026-12-02T01:00:00Z"}"#, "invalid_value"),
                (#"{"model": "fraud", "prediction_ids": ["q-1"], "colour": 1}"#, "unknown_field"),
            ] {
                let (_, answer) = try await client.send(.post, "/v1/flags", body)
                #expect((answer["error"] as? [String: Any])?["code"] as? String == code, "\(body) → \(answer)")
            }
        }
        // Flags survive a restart.
        try await harness.run { client in
            let flags = try await client.send(.get, "/v1/flags?model=fraud").1["flags"] as? [[String: Any]]
            #expect(flags?.count == 2)
        }
    }
}
