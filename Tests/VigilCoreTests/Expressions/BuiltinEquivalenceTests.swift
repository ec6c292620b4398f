import Foundation
import Testing
import VigilCore

/// Every built-in metric equals its definition in the expression language, computed through the
/// custom-metric path, on the fixtures (overall and on a window, so bucket merging is covered too).
struct BuiltinEquivalenceTests {
    static let window = Window.range(
        from: Fixture.time("2020-02-10T00:00:00Z"), to: Fixture.time("2020-02-20T13:00:00Z"))

    static func compare(_ engine: Engine, model: String, _ definitions: [String: String]) throws {
        for w in [Window.cumulative, window] {
            let report = try engine.metrics(model: model, window: w)
            for (name, _) in definitions {
                let custom = "x_" + name.replacingOccurrences(of: ".", with: "_")
                expectClose(report[custom]?.value, report[name]?.value, relative: 1e-10, "\(name) at \(w)")
            }
        }
    }

    static func define(_ definitions: [String: String], on model: String) -> (inout Engine) throws -> Void {
        { engine in
            for (name, source) in definitions {
                try engine.defineMetric("x_" + name.replacingOccurrences(of: ".", with: "_"), on: model, source)
            }
        }
    }

    @Test func binary() throws {
        let engine = try Fixture.engine(
            Fixture.taxiPredictions(), Fixture.feedback("taxi"),
            configure: Self.define(BuiltinDefinitions.binary, on: "taxi-tip"))
        try Self.compare(engine, model: "taxi-tip", BuiltinDefinitions.binary)
    }

    @Test func regression() throws {
        let engine = try Fixture.engine(
            Fixture.fareRegressionPredictions(), Fixture.feedback("fare-regression"),
            configure: Self.define(BuiltinDefinitions.regression, on: "fare"))
        try Self.compare(engine, model: "fare", BuiltinDefinitions.regression)
    }

    @Test func multiclass() throws {
        var definitions: [String: String] = [:]
        for (name, source) in BuiltinDefinitions.multiclass {
            guard name.hasSuffix(".CLASS") else {
                definitions[name] = source
                continue
            }
            for c in Fixture.tripClasses {
                definitions[name.replacingOccurrences(of: "CLASS", with: c)] = source.replacingOccurrences(
                    of: "CLASS", with: c)
            }
        }
        let engine = try Fixture.engine(
            Fixture.tripTypePredictions(), Fixture.feedback("trip-type-multiclass"),
            configure: { engine in
                try engine.declare(model: "trip-type", task: .multiclass, classes: Fixture.tripClasses)
                try Self.define(definitions, on: "trip-type")(&engine)
            })
        try Self.compare(engine, model: "trip-type", definitions)
    }
}
