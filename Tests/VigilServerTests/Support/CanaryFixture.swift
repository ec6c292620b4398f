import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The canary fixture (`Tests/Fixtures/canary`) as NDJSON request bodies, and its expected values (statsmodels).
enum CanaryFixture {
    static let root = TaxiFixture.root.deletingLastPathComponent().appendingPathComponent("canary")

    static func rows(_ file: String) -> [[String: String]] {
        let text = try! String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        return lines.map { Dictionary(uniqueKeysWithValues: zip(header, $0.split(separator: ",").map(String.init))) }
    }

    /// The rows of `predictions.csv`, or of `shadow.csv` sent with `"shadow": true`.
    static func predictionLines(_ file: String = "predictions.csv") -> [String] {
        rows(file).map { r in
            var row: [String: Any] = [
                "id": r["id"]!, "ts": r["timestamp"]!, "model": r["model"]!, "version": r["version"]!,
                "segment": ["region": r["region"]!], "features": ["region": r["region"]!],
                "score": Double(r["score"]!)!, "prediction": Int(r["prediction"]!)!,
            ]
            if file == "shadow.csv" { row["shadow"] = true }
            return TaxiFixture.json(row)
        }
    }

    static let feedbackLines: [String] = rows("feedback.csv").map { r in
        TaxiFixture.json(["id": r["id"]!, "ts": r["timestamp"]!, "label": Int(r["label"]!)!])
    }

    static var expected: [String: Any] {
        let data = try! Data(contentsOf: root.appendingPathComponent("expected.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// Posts the predictions (those `keep` accepts) and, with `labels`, their labels; checks every batch is accepted.
    static func ingest(
        _ client: some TestClientProtocol, labels: Bool = true, keep: (String) -> Bool = { _ in true }
    ) async throws {
        let lines = predictionLines().filter { line in keep(line) }
        for batch in TaxiFixture.batches(lines, size: 4000) {
            let (status, body) = try await client.send(.post, "/v1/predictions", batch)
            #expect(status == .ok, "\(body)")
        }
        guard labels else { return }
        for batch in TaxiFixture.batches(feedbackLines, size: 4000) {
            #expect(try await client.send(.post, "/v1/feedback", batch).0 == .ok)
        }
    }
}
