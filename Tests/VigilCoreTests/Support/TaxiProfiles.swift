import Foundation
import Testing
import VigilCore

/// The taxi fixture's features as profiles see them: numeric columns as numbers, categories as strings,
/// empty fields as missing.
enum TaxiProfiles {
    static let numeric = ["trip_distance", "fare_amount", "passenger_count", "pickup_hour"]
    static let categorical = ["payment_type", "pickup_borough"]

    static func features(_ r: [String: String]) -> [String: FeatureValue] {
        var f: [String: FeatureValue] = [:]
        for c in numeric { f[c] = r[c]!.isEmpty ? .null : .number(Double(r[c]!)!) }
        for c in categorical { f[c] = r[c]!.isEmpty ? .null : .string(r[c]!) }
        return f
    }

    static func reference() -> DataProfile {
        var p = DataProfile()
        for r in Fixture.rows("taxi", "reference.csv") { p.add(features: features(r)) }
        return p
    }

    static func predictions() -> [Prediction] {
        Fixture.rows("taxi", "predictions.csv").map { r in
            Prediction(
                id: r["id"]!, time: Fixture.time(r["timestamp"]!), model: r["model"]!, version: r["version"]!,
                features: features(r), score: .probability(Double(r["score"]!)!),
                prediction: .number(Double(r["prediction"]!)!))
        }
    }

    static func engine(_ configuration: EngineConfiguration = EngineConfiguration()) throws -> Engine {
        var engine = Engine(configuration: configuration)
        for p in predictions() { try engine.ingest(p) }
        return engine
    }

    static let lastWeek = Window.range(
        from: Fixture.time("2020-02-23T00:00:00Z"), to: Fixture.time("2020-03-01T00:00:00Z"))
    static let firstWeek = Window.range(
        from: Fixture.time("2020-02-01T00:00:00Z"), to: Fixture.time("2020-02-08T00:00:00Z"))
}

/// Asserts relative closeness with no absolute fallback (for p-values far below 1).
func expectRelative(
    _ actual: Double?, _ expected: Double, _ tolerance: Double, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let actual else {
        Issue.record("\(what): expected \(expected), got null", sourceLocation: sourceLocation)
        return
    }
    #expect(
        abs(actual - expected) <= tolerance * abs(expected), "\(what): expected \(expected), got \(actual)",
        sourceLocation: sourceLocation)
}
