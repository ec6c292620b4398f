import Foundation
import Testing
import VigilCore

/// Rules inferred from the taxi reference, and the violations the drifted last week breaks them with.
struct TaxiQualityTests {
    @Test func rulesInferredFromTheReference() throws {
        let rules = RuleSet.suggested(from: TaxiProfiles.reference())
        #expect(Set(rules.columns.keys) == Set(TaxiProfiles.numeric + TaxiProfiles.categorical))
        let payment = try #require(rules.columns["payment_type"])
        #expect(payment.type == .categorical)
        #expect(payment.categories == ["card", "cash", "dispute", "no_charge"])
        #expect(payment.maxUnseenFraction == 0)
        let hour = try #require(rules.columns["pickup_hour"])
        #expect(hour.type == .numeric)
        #expect(hour.min == 0 && hour.max == 23)
        // 96 of 5,000 reference rows lack passenger_count (1.92%): twice that is allowed.
        #expect(rules.columns["passenger_count"]?.maxMissingFraction == 0.0384)
        // No missing trip_distance in the reference: one point of slack.
        #expect(rules.columns["trip_distance"]?.maxMissingFraction == 0.01)
        #expect(rules.problems.isEmpty)
    }

    @Test func lastWeekBreaksTheCategoryAndMissingRules() throws {
        let engine = try TaxiProfiles.engine()
        let rules = RuleSet.suggested(from: TaxiProfiles.reference())
        let report = QualityReport(
            profile: try engine.profile(model: "taxi-tip", window: TaxiProfiles.lastWeek).profile, rules: rules)
        let payment = try #require(report.columns.first { $0.column == "payment_type" })
        #expect(payment.unseen == 248)
        #expect(payment.unseenExamples == [CategoryCount(value: "crypto", count: 248)])
        #expect(payment.violations.map(\.rule) == [.categories])
        #expect(payment.violations.first?.message.contains("'crypto'") == true)
        let passengers = try #require(report.columns.first { $0.column == "passenger_count" })
        // expected.json: 8.51% missing in the last week.
        expectClose(passengers.missingFraction, 0.08510204081632652, "passenger_count missing")
        #expect(passengers.missing == 417)
        #expect(passengers.violations.map(\.rule) == [.missing])
        #expect(passengers.violations.first?.allowed == 0.0384)
        let borough = try #require(report.columns.first { $0.column == "pickup_borough" })
        #expect(borough.violations.isEmpty)
        #expect(borough.missing == 13)
        #expect(report.columns.prefix(2).allSatisfy { !$0.violations.isEmpty })
    }

    @Test func firstWeekIsClean() throws {
        let engine = try TaxiProfiles.engine()
        let rules = RuleSet.suggested(from: TaxiProfiles.reference())
        let report = QualityReport(
            profile: try engine.profile(model: "taxi-tip", window: TaxiProfiles.firstWeek).profile, rules: rules)
        for c in ["payment_type", "passenger_count", "pickup_borough", "pickup_hour"] {
            #expect(report.columns.first { $0.column == c }?.violations == [], "\(c)")
        }
        #expect(report.columns.first { $0.column == "payment_type" }?.unseen == 0)
    }

    @Test func typeErrorsAndRangeAgainstEditedRules() throws {
        var profile = DataProfile()
        for v in [1.0, 2, 3, 50] { profile.add(features: ["x": .number(v), "c": .string("a")]) }
        profile.add(features: ["x": .string("oops"), "c": .number(7)])
        profile.add(features: ["x": .number(.nan)])
        let rules = RuleSet(columns: [
            "x": ColumnRule(type: .numeric, min: 0, max: 10, maxOutOfRangeFraction: 0),
            "c": ColumnRule(type: .categorical, categories: ["a"]),
        ])
        let report = QualityReport(profile: profile, rules: rules)
        let x = try #require(report.columns.first { $0.column == "x" })
        #expect(x.typeErrors == 1)
        #expect(x.invalid == 1)
        #expect(x.outOfRange == 1)
        #expect(Set(x.violations.map(\.rule)) == [.type, .invalid, .range])
        let c = try #require(report.columns.first { $0.column == "c" })
        #expect(c.typeErrors == 1)
        #expect(c.missing == 1)
        #expect(c.unseen == 0)
    }

    @Test func invalidRulesAreNamed() {
        let rules = RuleSet(columns: [
            "x": ColumnRule(type: .numeric, maxMissingFraction: 1.5, min: 5, max: 1),
            "c": ColumnRule(type: .categorical, drift: DriftThreshold(statistic: .wasserstein, threshold: 1)),
        ])
        let problems = rules.problems
        #expect(problems.contains { $0.contains("x.max_missing_fraction") })
        #expect(problems.contains { $0.contains("x: min (5.0) is greater than max (1.0)") })
        #expect(problems.contains { $0.contains("'wasserstein' does not apply to a categorical column") })
    }
}
