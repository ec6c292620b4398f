import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilServer

/// A prediction traced back: its version's deployment names its training run, which read a dataset version
/// written by a feature run whose gate failed — the trace names that run and that gate.
@Suite struct TraceRoutesTests {
    @Test func aPredictionLeadsToTheRunThatBrokeItsTrainingData() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let features = #"{"namespace": "taxi", "job": "build-features", "run_id": "feat-1", "state": "COMPLETE", "time": "2026-12-01T02:00:00Z", "outputs": [{"namespace": "s3://lake", "name": "features.trips", "row_count": 1000}]}"#
            let earlier = #"{"namespace": "taxi", "job": "build-features", "run_id": "feat-0", "state": "COMPLETE", "time": "2026-11-30T02:00:00Z", "outputs": [{"namespace": "s3://lake", "name": "features.trips"}]}"#
            let later = #"{"namespace": "taxi", "job": "build-features", "run_id": "feat-2", "state": "COMPLETE", "time": "2026-12-02T02:00:00Z", "outputs": [{"namespace": "s3://lake", "name": "features.trips"}]}"#
            let training = #"{"namespace": "taxi", "job": "train", "run_id": "train-7", "state": "COMPLETE", "time": "2026-12-01T05:00:00Z", "inputs": [{"namespace": "s3://lake", "name": "features.trips"}]}"#
            for body in [earlier, features, later, training] {
                #expect(try await client.send(.post, "/v1/runs", body).0 == .created)
            }
            let rules = #"{"columns": {"fare": {"type": "numeric", "max_missing_fraction": 0}}}"#
            #expect(try await client.send(.put, "/v1/gates/trips-gate", rules).0 == .created)
            let (_, check) = try await client.send(.post, "/v1/gates/trips-gate/check?run_id=feat-1", "fare,x\n,1\n3,2")
            #expect(check["verdict"] as? String == "fail")
            let deployment = #"{"stage": "primary", "training_run": "openlineage:train-7"}"#
            #expect(try await client.send(.put, "/v1/models/fraud/deployments/v2", deployment).0 == .created)
            let prediction = #"{"id": "p-1", "ts": "2026-12-02T10:00:00Z", "model": "fraud", "version": "v2", "score": 0.9}"#
            #expect(try await client.send(.post, "/v1/predictions", prediction).0 == .ok)

            let (status, trace) = try await client.send(.get, "/v1/trace/p-1")
            #expect(status == .ok, "\(trace)")
            #expect((trace["prediction"] as? [String: Any])?["version"] as? String == "v2")
            #expect((trace["training_run"] as? [String: Any])?["run_id"] as? String == "train-7")
            let input = (trace["inputs"] as? [[String: Any]])?.first
            // The version it read: the newest written before training started (feat-1, not feat-0 or feat-2).
            #expect((input?["produced_by"] as? [String: Any])?["run_id"] as? String == "feat-1")
            #expect((input?["gate_checks"] as? [[String: Any]])?.first?["verdict"] as? String == "fail")
            let suspects = trace["suspects"] as? [String] ?? []
            #expect(suspects == ["s3://lake/features.trips was written by run feat-1 of taxi/build-features, whose gate trips-gate failed"], "\(suspects)")

            // The same trace as a graph: prediction → version → training run → dataset → the run that wrote it.
            let graph = trace["graph"] as? [String: Any]
            let edges = (graph?["edges"] as? [[String: Any]] ?? []).map { "\($0["from"]!) -\($0["relation"]!)-> \($0["to"]!)" }
            #expect(
                edges == [
                    "prediction:p-1 -served_by-> version:fraud@v2", "version:fraud@v2 -trained_by-> run:train-7",
                    "run:train-7 -read-> dataset:s3://lake/features.trips@run feat-1",
                    "dataset:s3://lake/features.trips@run feat-1 -written_by-> run:feat-1",
                ], "\(edges)")
            let feat1 = (graph?["nodes"] as? [[String: Any]])?.first { $0["id"] as? String == "run:feat-1" }
            #expect((feat1?["evidence"] as? [String])?.first?.contains("trips-gate failed") == true)

            let (missing, _) = try await client.send(.get, "/v1/trace/nope")
            #expect(missing == .notFound)
            #expect(try await client.send(.post, "/v1/predictions", #"{"id": "p-2", "ts": "2026-12-02T10:00:00Z", "model": "fraud", "version": "v3", "score": 0.1}"#).0 == .ok)
            let gaps = try await client.send(.get, "/v1/trace/p-2").1["gaps"] as? [String]
            #expect(gaps == ["no deployment recorded for fraud v3"])
        }
    }
}
