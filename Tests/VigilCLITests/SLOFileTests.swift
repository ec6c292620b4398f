import Foundation
import Testing
import VigilCore

@testable import VigilCLI

/// `--slos` files: the example parses; mistakes name the SLO and the field.
struct SLOFileTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/slos.yaml").path

    @Test func exampleFileParses() throws {
        let slos = try SLOFile.load(Self.example)
        #expect(
            slos.map(\.name) == [
                "taxi-accuracy", "taxi-recall", "trip-distance-drift", "passenger-count-missing", "taxi-freshness",
            ])
        let accuracy = slos[0]
        #expect(accuracy.objective == Objective(.atLeast, 0.7))
        #expect(accuracy.window == .seconds(7 * 86_400))
        #expect(accuracy.labels == ["team": "pricing", "service": "tips"])
        #expect(accuracy.rules.map(\.name) == ["page-1d", "ticket-3d"] && accuracy.warnings.isEmpty)
        #expect(
            slos[2].sli == .drift(column: "trip_distance", statistic: .psi) && slos[2].forDuration == .seconds(7200))
        #expect(slos[3].sli == .quality(column: "passenger_count", measure: .missingRate))
        #expect(slos[4].sli == .freshness)
    }

    @Test(arguments: [
        (
            "slos:\n  - name: a\n    model: m\n    sli: accuracy\n    objective: \">= 0.9\"\n    windows: 7d\n",
            "slos[0] (a): unknown fields: windows"
        ),
        ("slos:\n  - name: a\n    model: m\n    sli: accuracy\n    objective: >= 0.9\n", "quote objectives"),
        ("slos:\n  - model: m\n", "slos[0] has no 'name'"),
        (
            "slos:\n  - {name: a, model: m, sli: recall, objective: \">= 0.5\"}\n  - {name: a, model: m, sli: recall, objective: \">= 0.5\"}\n",
            "used twice"
        ),
        ("models: []\n", "top-level 'slos:'"),
    ])
    func mistakesAreNamed(yaml: String, message: String) {
        #expect {
            _ = try SLOFile.parse(yaml, source: "slos.yaml")
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
