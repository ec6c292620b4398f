import Foundation

/// The taxi fixture as NDJSON request bodies, and its expected values (computed by scikit-learn).
enum TaxiFixture {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/taxi")

    /// Rows of a CSV file without quoted fields (the fixture has none).
    static func rows(_ file: String) -> [[String: String]] {
        let text = try! String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, fields))
        }
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// One NDJSON line per prediction, with the fixture's six features (empty fields as null) and its payment
    /// type also as a segment.
    static let predictionLines: [String] = rows("predictions.csv").map { r in
        var features: [String: Any] = [:]
        for c in ["trip_distance", "fare_amount", "passenger_count", "pickup_hour"] {
            features[c] = r[c]!.isEmpty ? NSNull() : Double(r[c]!)!
        }
        for c in ["payment_type", "pickup_borough"] { features[c] = r[c]!.isEmpty ? NSNull() : r[c]! }
        return json([
            "id": r["id"]!, "ts": r["timestamp"]!, "model": r["model"]!, "version": r["version"]!,
            "segment": ["payment_type": r["payment_type"]!], "features": features,
            "score": Double(r["score"]!)!, "prediction": Int(r["prediction"]!)!,
        ])
    }

    static var referenceCSV: String {
        try! String(contentsOf: root.appendingPathComponent("reference.csv"), encoding: .utf8)
    }

    static let feedbackLines: [String] = rows("feedback.csv").map { r in
        json(["id": r["id"]!, "ts": r["timestamp"]!, "label": Int(r["label"]!)!])
    }

    static func batches(_ lines: [String], size: Int) -> [String] {
        stride(from: 0, to: lines.count, by: size).map {
            lines[$0..<min($0 + size, lines.count)].joined(separator: "\n")
        }
    }

    static var expected: [String: Any] {
        let data = try! Data(contentsOf: root.appendingPathComponent("expected.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}
