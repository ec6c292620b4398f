import Foundation
import Testing
import VigilCore

/// Drift of the taxi fixture's last week against its reference, checked against scipy and numpy
/// (`Tests/Fixtures/taxi/expected.json → drift`).
struct TaxiDriftTests {
    static var expected: [String: Any] { Fixture.expected("taxi")["drift"] as! [String: Any] }

    static func report() throws -> (DriftReport, WindowProfile) {
        let engine = try TaxiProfiles.engine()
        let window = try engine.profile(model: "taxi-tip", window: TaxiProfiles.lastWeek)
        return (DriftReport(reference: TaxiProfiles.reference(), current: window.profile), window)
    }

    @Test func windowCoversTheLastWeek() throws {
        let (report, window) = try Self.report()
        #expect(window.from == Fixture.time("2020-02-23T00:00:00Z"))
        #expect(window.to == Fixture.time("2020-03-01T00:00:00Z"))
        #expect(report.referenceRows == Int64(number(Self.expected["reference_rows"])!))
        #expect(report.currentRows == Int64(number(Self.expected["current_rows"])!))
    }

    @Test(arguments: TaxiProfiles.numeric)
    func numericColumn(_ name: String) throws {
        let (report, _) = try Self.report()
        let e = (Self.expected["numeric"] as! [String: Any])[name] as! [String: Any]
        let d = try #require(report.columns.first { $0.column == name })
        #expect(d.type == .numeric)
        #expect(!d.approximate)
        #expect(d.referenceCount == Int64(number(e["n_reference"])!))
        #expect(d.currentCount == Int64(number(e["n_current"])!))
        let edges = (e["bin_edges"] as! [Any]).map { number($0)! }
        #expect(d.binEdges?.count == edges.count)
        for (a, b) in zip(d.binEdges ?? [], edges) { expectClose(a, b, "\(name) bin edge") }
        #expect(d.referenceBinCounts == (e["reference_bin_counts"] as! [Any]).map { Int64(number($0)!) })
        #expect(d.currentBinCounts == (e["current_bin_counts"] as! [Any]).map { Int64(number($0)!) })
        for key in ["psi", "ks_statistic", "wasserstein", "js_distance"] {
            let actual: Double? =
                switch key {
                case "psi": d.psi
                case "ks_statistic": d.ksStatistic
                case "wasserstein": d.wasserstein
                default: d.jsDistance
                }
            expectRelative(actual, number(e[key])!, 1e-9, "\(name) \(key)")
        }
        #expect(d.ksPValueMethod == .exact)
        #expect(e["ks_pvalue_method"] as? String == "exact")
        expectRelative(d.ksPValue, number(e["ks_pvalue"])!, 1e-6, "\(name) ks_pvalue (exact)")
    }

    @Test(arguments: TaxiProfiles.numeric)
    func kolmogorovAsymptotic(_ name: String) throws {
        let e = (Self.expected["numeric"] as! [String: Any])[name] as! [String: Any]
        let n = number(e["n_reference"])!
        let m = number(e["n_current"])!
        let lambda = number(e["ks_statistic"])! * (n * m / (n + m)).squareRoot()
        expectRelative(
            KolmogorovSmirnovTest.kolmogorovSurvival(lambda), number(e["ks_pvalue_kolmogorov"])!, 1e-9,
            "\(name) kstwobign.sf")
    }

    @Test(arguments: TaxiProfiles.categorical)
    func categoricalColumn(_ name: String) throws {
        let (report, _) = try Self.report()
        let e = (Self.expected["categorical"] as! [String: Any])[name] as! [String: Any]
        let d = try #require(report.columns.first { $0.column == name })
        #expect(d.type == .categorical)
        #expect(d.referenceCount == Int64(number(e["n_reference"])!))
        #expect(d.currentCount == Int64(number(e["n_current"])!))
        #expect(d.categories == e["categories"] as? [String])
        #expect(d.referenceCounts == (e["reference_counts"] as! [Any]).map { Int64(number($0)!) })
        #expect(d.currentCounts == (e["current_counts"] as! [Any]).map { Int64(number($0)!) })
        expectRelative(d.psi, number(e["psi"])!, 1e-9, "\(name) psi")
        expectRelative(d.jsDistance, number(e["js_distance"])!, 1e-9, "\(name) js")
        expectRelative(d.chi2Statistic, number(e["chi2_statistic"])!, 1e-9, "\(name) chi2")
        #expect(d.chi2Dof == Int(number(e["chi2_dof"])!))
        expectRelative(d.chi2PValue, number(e["chi2_pvalue"])!, 1e-6, "\(name) chi2 p-value")
        #expect(d.unseenCategories == e["unseen_categories"] as? [String])
        #expect(d.missingCategories == e["missing_categories"] as? [String])
    }

    @Test func missingFractionsQuantilesAndDistinct() throws {
        let (report, window) = try Self.report()
        let missing = Self.expected["missing_fraction"] as! [String: [String: Any]]
        for (column, e) in missing {
            let d = try #require(report.columns.first { $0.column == column })
            expectClose(d.referenceMissingFraction, number(e["reference"]), "\(column) reference missing")
            expectClose(d.currentMissingFraction, number(e["current"]), "\(column) current missing")
        }
        let trip = try #require(report.columns.first { $0.column == "trip_distance" })
        for (key, q) in [
            ("trip_distance_quantiles_current", trip.currentQuantiles),
            ("trip_distance_quantiles_reference", trip.referenceQuantiles),
        ] {
            let e = Self.expected[key] as! [String: Any]
            expectRelative(q?.p50, number(e["p50"])!, 1e-9, "\(key) p50")
            expectRelative(q?.p90, number(e["p90"])!, 1e-9, "\(key) p90")
            expectRelative(q?.p99, number(e["p99"])!, 1e-9, "\(key) p99")
        }
        let borough = try #require(window.profile.columns["pickup_borough"])
        #expect(borough.categorical.distinct == number(Self.expected["pickup_borough_distinct_current"]))
        #expect(
            TaxiProfiles.reference().columns["pickup_borough"]?.categorical.distinct
                == number(Self.expected["pickup_borough_distinct_reference"]))
    }

    @Test func verdictsRankTheDriftedColumns() throws {
        let (report, _) = try Self.report()
        // PSI ≥ 0.2 by default: scipy's PSI is 0.389, 0.332 and 0.318 for these, below 0.002 for the others.
        #expect(report.drifted.prefix(3) == ["trip_distance", "fare_amount", "payment_type"])
        for c in ["passenger_count", "pickup_hour", "pickup_borough"] {
            #expect(report.columns.first { $0.column == c }?.verdict == .ok)
        }
    }

    @Test func userThresholdOverridesTheDefault() throws {
        let engine = try TaxiProfiles.engine()
        let current = try engine.profile(model: "taxi-tip", window: TaxiProfiles.lastWeek).profile
        var rules = RuleSet.suggested(from: TaxiProfiles.reference())
        // A KS p-value test flags passenger_count only below p = 0.9999999710 (scipy's exact value).
        rules.columns["passenger_count"]!.drift = DriftThreshold(statistic: .ksPValue, threshold: 0.99999998)
        rules.columns["trip_distance"]!.drift = DriftThreshold(statistic: .psi, threshold: 0.5)
        let report = DriftReport(reference: TaxiProfiles.reference(), current: current, rules: rules)
        #expect(report.columns.first { $0.column == "passenger_count" }?.verdict == .drift)
        #expect(report.columns.first { $0.column == "trip_distance" }?.verdict == .ok)
    }
}
