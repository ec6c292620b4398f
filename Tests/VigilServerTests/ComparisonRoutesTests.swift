import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import VigilCore
import VigilServer

/// The canary comparison against the canary fixture: every difference, interval and p-value equals statsmodels'
/// (Newcombe interval, pooled z-test) and the Hanley–McNeil computation of the generator; the worse segment
/// is named `worse` and the others are not.
@Suite struct ComparisonRoutesTests {
    @Test func theComparisonEqualsStatsmodelsAndNamesTheWorseSegment() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let slicesExpected = CanaryFixture.expected["slices"] as! [String: [String: [String: Any]]]
            try await CanaryFixture.ingest(client)
            let (status, answer) = try await client.send(
                .get, "/v1/models/fraud/compare?baseline=v1&candidate=v2&by=segment.region&margin=0.05")
            #expect(status == .ok, "\(answer)")
            let slices = answer["slices"] as? [[String: Any]] ?? []
            #expect(slices.count == 4)
            for slice in slices {
                let segment = slice["segment"] as? [String: String]
                let name = segment.map { "\($0["key"]!):\($0["value"]!)" } ?? "overall"
                let want = try #require(slicesExpected[name], "\(name)")
                for m in slice["metrics"] as? [[String: Any]] ?? [] {
                    let metric = m["metric"] as! String
                    let e = try #require(want[metric])
                    let d = m["difference"] as? [String: Any]
                    if metric == "roc_auc" {
                        Self.expectAUC(m, e, name)
                        continue
                    }
                    let what = "\(name) \(metric)"
                    expectClose(d?["estimate"] as? Double, e["difference"], "\(what) difference", tolerance: 1e-12)
                    expectClose(d?["lower"] as? Double, e["lower"], "\(what) lower", tolerance: 1e-12)
                    expectClose(d?["upper"] as? Double, e["upper"], "\(what) upper", tolerance: 1e-12)
                    expectClose(d?["p_value"] as? Double, e["p_value"], "\(what) p", tolerance: 1e-9)
                    #expect(d?["method"] as? String == "newcombe")
                    let nb = (e["baseline"] as! [String: Any])["n"] as! Int
                    #expect((m["baseline"] as? [String: Any])?["n"] as? Int == nb, "\(what)")
                }
                let verdicts = (slice["metrics"] as? [[String: Any]] ?? []).map { $0["verdict"] as? String }
                if name == "region:apac" {
                    #expect(verdicts.allSatisfy { $0 == "worse" }, "\(name): \(verdicts)")
                    let sequential = (slice["metrics"] as? [[String: Any]] ?? []).map {
                        ($0["sequential"] as? [String: Any])?["verdict"] as? String
                    }
                    #expect(sequential.allSatisfy { $0 == "worse" }, "\(name): \(sequential)")
                } else if name != "overall" {
                    #expect(verdicts.allSatisfy { $0 == "no_worse" || $0 == "undecided" }, "\(name): \(verdicts)")
                    #expect(verdicts.contains("no_worse"), "\(name): \(verdicts)")
                }
                // The always-valid interval is wider, so it never decides more than the fixed one.
                for m in slice["metrics"] as? [[String: Any]] ?? [] {
                    let d = m["difference"] as! [String: Any]
                    let s = m["sequential"] as! [String: Any]
                    #expect((s["lower"] as! Double) < (d["lower"] as! Double))
                    #expect((s["upper"] as! Double) > (d["upper"] as! Double))
                }
            }
            // Before labels: the candidate's score distribution against the baseline's, and CBPE per version.
            let labelFree = answer["label_free"] as? [String: Any]
            #expect(labelFree?["rows_candidate"] as? Int == Self.rows("v2"))
            #expect((labelFree?["estimated_performance"] as? [String: Any])?.keys.sorted() == ["v1", "v2"])
        }
    }

    static func rows(_ version: String) -> Int {
        CanaryFixture.rows("predictions.csv").filter { $0["version"] == version }.count
    }

    /// The engine's AUC comes from a score histogram at 1e-4 resolution, and the fixture's scores have 4
    /// decimals, so the AUC difference and its Hanley–McNeil variance equal scikit-learn's.
    static func expectAUC(_ m: [String: Any], _ e: [String: Any], _ name: String) {
        let d = m["difference"] as? [String: Any]
        let (b, c) = (e["baseline"] as! [String: Any], e["candidate"] as! [String: Any])
        expectClose(d?["estimate"] as? Double, e["difference"], "\(name) auc difference", tolerance: 1e-12)
        let variance = (b["variance"] as! Double) + (c["variance"] as! Double)
        expectClose(d?["variance"] as? Double, variance, "\(name) auc variance", tolerance: variance * 1e-9)
        #expect(d?["method"] as? String == "hanley_mcneil")
    }

    @Test func badComparisonsAreRefusedNamingTheParameter() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            try await CanaryFixture.ingest(client)
            for (query, status, code) in [
                ("baseline=v1&candidate=v9", HTTPResponse.Status.notFound, "unknown_version"),
                ("baseline=v1", .badRequest, "missing_parameter"),
                ("baseline=v1&candidate=v1", .badRequest, "invalid_comparison"),
                ("baseline=v1&candidate=v2&margin=-1", .badRequest, "invalid_comparison"),
                ("baseline=v1&candidate=v2&margin=abc", .badRequest, "invalid_comparison"),
                ("baseline=v1&candidate=v2&by=region", .badRequest, "invalid_comparison"),
                ("baseline=v1&candidate=v2&by=segment.colour", .badRequest, "invalid_comparison"),
                ("baseline=v1&candidate=v2&metrics=rmse", .badRequest, "invalid_comparison"),
                ("baseline=v1&candidate=v2&colour=red", .badRequest, "unknown_parameter"),
            ] {
                let (got, body) = try await client.send(.get, "/v1/models/fraud/compare?\(query)")
                #expect(got == status, "\(query): \(body)")
                #expect((body["error"] as? [String: Any])?["code"] as? String == code, "\(query): \(body)")
            }
        }
    }
}
