import ArgumentParser
import Foundation
import Testing
import VigilCore

@testable import VigilCLI

/// `vigil replay --reference` and `vigil rules suggest` on the taxi fixture.
struct ReplayReferenceTests {
    @Test func replayAddsDriftAndQualityForTheWindow() throws {
        let report = try ReplayCommandTests.replay(
            "taxi",
            [
                "--reference", ReplayCommandTests.path("taxi", "reference.csv"), "--from", "2020-02-23T00:00:00Z",
                "--to", "2020-03-01T00:00:00Z",
            ])
        let model = (report["models"] as? [String: Any])?["taxi-tip"] as? [String: Any]
        let drift = try #require(model?["drift"] as? [String: Any])
        #expect(drift["current_rows"] as? Int == 4900)
        let expected = (ReplayCommandTests.expected("taxi")["drift"] as! [String: Any])["numeric"] as! [String: Any]
        let trip = (drift["columns"] as? [[String: Any]])?.first { $0["column"] as? String == "trip_distance" }
        let e = expected["trip_distance"] as! [String: Any]
        let psi = try #require(trip?["psi"] as? Double)
        #expect(abs(psi - (e["psi"] as! Double)) <= 1e-9 * (e["psi"] as! Double))
        #expect(trip?["reference_bin_counts"] as? [Int] == e["reference_bin_counts"] as? [Int])
        let quality = try #require(model?["quality"] as? [String: Any])
        #expect(quality["violations"] as? Int == 2)
    }

    /// Without `--reference` nothing reads column profiles, so none are kept; the metrics do not change.
    @Test func profilesOnlyWithAReference() throws {
        func run(_ extra: [String]) throws -> ReplayRunner.Output {
            let command =
                try VigilCommand.parseAsRoot(
                    [
                        "replay", "--predictions", ReplayCommandTests.path("taxi", "predictions.csv"), "--feedback",
                        ReplayCommandTests.path("taxi", "feedback.csv"), "--format", "json",
                    ] + extra) as! ReplayCommand
            return try ReplayRunner(options: try command.options()).run()
        }
        let without = try run([])
        let with = try run(["--reference", ReplayCommandTests.path("taxi", "reference.csv")])
        #expect(try without.engine.profile(model: "taxi-tip").profile.rows == 0)
        #expect(try with.engine.profile(model: "taxi-tip").profile.rows == 20_000)
        #expect(
            try without.engine.metrics(model: "taxi-tip").values == with.engine.metrics(model: "taxi-tip").values)
        // A custom metric reading a feature still gets it: long trips counted, as the file says.
        let long = try run(["--metric", "long_trips=sum(features.trip_distance > 5)"])
        let trips = try String(contentsOfFile: ReplayCommandTests.path("taxi", "predictions.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().filter { Double($0.split(separator: ",")[4])! > 5 }.count
        #expect(
            try long.engine.metrics(model: "taxi-tip", names: ["long_trips"]).values["long_trips"]?.value
                == Double(trips))
    }

    @Test func rulesFileMustBeValid() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("rules.json")
        try Data(#"{"columns": {"x": {"type": "numeric", "min": 2, "max": 1}}}"#.utf8).write(to: bad)
        #expect(throws: (any Error).self) {
            try ReplayCommandTests.replay(
                "taxi", ["--reference", ReplayCommandTests.path("taxi", "reference.csv"), "--rules", bad.path])
        }
    }
}
