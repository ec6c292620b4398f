import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilServer

/// Declaring a model before its first event: its task holds (a model sending only `prediction: 1` is not
/// taken for regression), a multiclass model keeps its class order, its owner and description are kept; a
/// conflicting task is a 409 that says how to start over; all of it survives a restart.
@Suite struct ModelRoutesTests {
    @Test func aDeclaredTaskHoldsAndSurvivesARestart() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let declared = #"{"task": "binary", "owner": "growth", "description": "Will the user click?"}"#
            let (status, model) = try await client.send(.put, "/v1/models/clicks", declared)
            #expect(status == .created, "\(model)")
            #expect(model["task"] as? String == "binary" && model["predictions"] as? Int == 0)
            // Only hard predictions: without the declaration the first row would make it a regression model.
            let rows = (0..<4).map { #"{"id": "c\#($0)", "ts": "2026-12-01T00:00:0\#($0)Z", "model": "clicks", "prediction": \#($0 % 2)}"# }
            #expect(try await client.send(.post, "/v1/predictions", rows.joined(separator: "\n")).0 == .ok)
            let labels = (0..<4).map { #"{"id": "c\#($0)", "ts": "2026-12-01T01:00:00Z", "label": 1}"# }
            #expect(try await client.send(.post, "/v1/feedback", labels.joined(separator: "\n")).0 == .ok)
            let metrics = try await client.send(.get, "/v1/models/clicks/metrics?names=accuracy,recall").1
            #expect(metric(metrics, "accuracy") == 0.5 && metric(metrics, "recall") == 0.5, "\(metrics)")

            // The same task again updates the owner; another task is refused, with the way out.
            #expect(try await client.send(.put, "/v1/models/clicks", #"{"task": "binary", "owner": "ads"}"#).0 == .ok)
            let (conflict, refused) = try await client.send(.put, "/v1/models/clicks", #"{"task": "regression"}"#)
            #expect(conflict == .conflict)
            #expect(((refused["error"] as? [String: Any])?["message"] as? String)?.contains("DELETE /v1/models/clicks") == true)

            let classes = #"{"task": "multiclass", "classes": ["low", "mid", "high"]}"#
            #expect(try await client.send(.put, "/v1/models/tiers", classes).0 == .created)
            for (body, code) in [
                (#"{"task": "binary", "colour": 1}"#, "unknown_field"),
                (#"{"task": "ranking"}"#, "invalid_value"),
                (#"{"task": "binary", "classes": ["a"]}"#, "invalid_field"),
                (#"{"owner": "x"}"#, "missing_field"),
                (#"{"task": "binary", "owner": "\#(String(repeating: "o", count: 257))"}"#, "too_long"),
            ] {
                let answer = try await client.send(.put, "/v1/models/other", body).1
                #expect((answer["error"] as? [String: Any])?["code"] as? String == code, "\(body): \(answer)")
            }
            // A model inferred as regression can start over: delete, then declare.
            #expect(try await client.send(.post, "/v1/predictions", #"{"id": "g1", "ts": "2026-12-01T00:00:00Z", "model": "guess", "prediction": 1}"#).0 == .ok)
            #expect(try await client.send(.put, "/v1/models/guess", #"{"task": "binary"}"#).0 == .conflict)
            #expect(try await client.send(.delete, "/v1/models/guess").0 == .noContent)
            #expect(try await client.send(.put, "/v1/models/guess", #"{"task": "binary"}"#).0 == .created)
        }
        try await harness.run { client in
            let clicks = try await client.send(.get, "/v1/models/clicks").1
            #expect(clicks["task"] as? String == "binary" && clicks["owner"] as? String == "ads", "\(clicks)")
            #expect(clicks["description"] as? String == "Will the user click?")
            let tiers = try await client.send(.get, "/v1/models/tiers").1
            #expect(tiers["classes"] as? [String] == ["low", "mid", "high"] && tiers["predictions"] as? Int == 0)
            #expect(try await client.send(.get, "/v1/models/guess").1["task"] as? String == "binary")
        }
    }
}
