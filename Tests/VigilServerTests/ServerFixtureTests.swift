import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilServer

/// The taxi fixture sent over HTTP gives the values scikit-learn computed (`expected.json`).
@Suite struct ServerFixtureTests {
    static let metricNames = ["accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "brier"]

    static func checkOverall(_ client: some TestClientProtocol) async throws {
        let names = metricNames.joined(separator: ",")
        let (status, body) = try await client.send(.get, "/v1/models/taxi-tip/metrics?names=\(names)")
        #expect(status == .ok, "\(body)")
        let overall = TaxiFixture.expected["overall"] as! [String: Any]
        for name in metricNames { expectClose(metric(body, name), overall[name], "overall \(name)") }
        let confusion = (body["window"] as? [String: Any])?["confusion"] as? [String: Any]
        let expectedConfusion = overall["confusion"] as! [String: Any]
        for k in ["tp", "fp", "tn", "fn"] {
            expectClose((confusion?[k] as? NSNumber)?.doubleValue, expectedConfusion[k], k)
        }
    }

    @Test func taxiOverHTTPMatchesScikitLearn() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            try await client.ingestTaxi()
            try await Self.checkOverall(client)
            let byVersion = TaxiFixture.expected["by_version"] as! [String: [String: Any]]
            for (version, values) in byVersion {
                let (status, body) = try await client.send(
                    .get, "/v1/models/taxi-tip/metrics?version=\(version)&names=accuracy,recall,roc_auc")
                #expect(status == .ok)
                for name in ["accuracy", "recall", "roc_auc"] {
                    expectClose(metric(body, name), values[name], "\(version) \(name)")
                }
            }
            let (_, models) = try await client.send(.get, "/v1/models")
            let list = models["models"] as? [[String: Any]]
            #expect(list?.first?["predictions"] as? Int == 20_000)
        }
    }

    @Test func retriedBatchesCountEveryRowOnce() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            // A client retrying every batch (as after a timeout) changes nothing: ids are idempotent
            // while the prediction is in the join (the label horizon).
            for batch in TaxiFixture.batches(TaxiFixture.predictionLines, size: 2500) {
                let (first, _) = try await client.send(.post, "/v1/predictions", batch)
                #expect(first == .ok)
                let (status, body) = try await client.send(.post, "/v1/predictions", batch)
                #expect(status == .ok)
                #expect(body["duplicates"] as? Int == body["accepted"] as? Int, "\(body)")
            }
            for batch in TaxiFixture.batches(TaxiFixture.feedbackLines, size: 2500) {
                for _ in 0..<2 {
                    let (status, _) = try await client.send(.post, "/v1/feedback", batch)
                    #expect(status == .ok)
                }
            }
            try await Self.checkOverall(client)
        }
    }

    @Test func restartRecoversTheSameState() async throws {
        var harness = try ServerHarness()
        defer { harness.remove() }
        harness.configuration.snapshotMinEntries = 1
        harness.configuration.snapshotInterval = .milliseconds(50)
        let half = TaxiFixture.predictionLines.count / 2
        try await harness.run { client in
            for batch in TaxiFixture.batches(Array(TaxiFixture.predictionLines[..<half]), size: 2000) {
                _ = try await client.send(.post, "/v1/predictions", batch)
            }
            // Give the snapshotter a turn, so the restart loads a snapshot and replays the rest.
            try await Task.sleep(for: .milliseconds(300))
            for batch in TaxiFixture.batches(Array(TaxiFixture.predictionLines[half...]), size: 2000) {
                _ = try await client.send(.post, "/v1/predictions", batch)
            }
        }
        try await harness.run { client in
            for batch in TaxiFixture.batches(TaxiFixture.feedbackLines, size: 2000) {
                let (status, _) = try await client.send(.post, "/v1/feedback", batch)
                #expect(status == .ok)
            }
            try await Self.checkOverall(client)
        }
        try await harness.run { client in try await Self.checkOverall(client) }
    }

    @Test func backfilledCustomMetricCoversStoredHistory() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        // Independent count: long trips (trip_distance > 5) that were predicted positive.
        let rows = TaxiFixture.rows("predictions.csv")
        let long = rows.filter { Double($0["trip_distance"]!)! > 5 }
        let expected = Double(long.filter { $0["prediction"] == "1" }.count) / Double(long.count)
        try await harness.run { client in
            try await client.ingestTaxi(batchSize: 4000)
            let definition =
                #"{"expression": "sum(prediction == 1 and features.trip_distance > 5) / sum(features.trip_distance > 5)"}"#
            let (status, body) = try await client.send(
                .put, "/v1/models/taxi-tip/metrics/long_positive?backfill=true", definition)
            #expect(status == .ok, "\(body)")
            let (_, values) = try await client.send(.get, "/v1/models/taxi-tip/metrics?names=long_positive")
            expectClose(metric(values, "long_positive"), expected as NSNumber, "backfilled long_positive")
            let (getStatus, stored) = try await client.send(.get, "/v1/models/taxi-tip/metrics/long_positive")
            #expect(getStatus == .ok)
            #expect(stored["backfill"] as? Bool == true)
        }
        // Recovery after a backfill gives the same value.
        try await harness.run { client in
            let (_, values) = try await client.send(.get, "/v1/models/taxi-tip/metrics?names=long_positive")
            expectClose(metric(values, "long_positive"), expected as NSNumber, "recovered long_positive")
            let (deleted, _) = try await client.send(.delete, "/v1/models/taxi-tip/metrics/long_positive")
            #expect(deleted == .noContent)
            let (after, _) = try await client.send(.get, "/v1/models/taxi-tip/metrics?names=long_positive")
            #expect(after == .badRequest)
        }
    }

    @Test func asOfAnswersWithTheFeedbackKnownThen() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let asOf = TaxiFixture.expected["as_of"] as! [String: Any]
            let range =
                "from=\(asOf["predictions_from"]!)&to=\(asOf["predictions_to"]!)&names=accuracy,precision,recall"
            try await client.ingestTaxi(batchSize: 4000)
            let cutoff = asOf["labels_arrived_at_or_before"]! as! String
            let (status, then) = try await client.send(.get, "/v1/models/taxi-tip/metrics?\(range)&asOf=\(cutoff)")
            #expect(status == .ok, "\(then)")
            // The cutoff is a midnight: the replay left a checkpoint there, so asking again replays nothing.
            let again = try await client.execute(
                uri: "/v1/models/taxi-tip/metrics?\(range)&asOf=\(cutoff)", method: .get, headers: [:], body: nil)
            let replay = again.headers[HTTPField.Name("Vigil-Replay")!] ?? ""
            #expect(replay.hasPrefix("events=0; checkpoint=2020-02-11T00:00:00"), "\(replay)")
            let (_, now) = try await client.send(.get, "/v1/models/taxi-tip/metrics?\(range)")
            let final = asOf["final"] as! [String: Any]
            for name in ["accuracy", "precision", "recall"] {
                expectClose(metric(then, name), asOf[name], "as of: \(name)")
                expectClose(metric(now, name), final[name], "final: \(name)")
            }
        }
    }
}
