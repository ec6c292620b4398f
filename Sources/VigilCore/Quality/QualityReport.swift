import Foundation

/// Per-column data quality of a window: missing rate, type errors, range and category violations.
public struct QualityReport: Sendable, Hashable, Codable {
    public var rows: Int64
    /// Feature columns, the ones with violations first.
    public var columns: [ColumnQuality]
    public var outputs: [ColumnQuality]
    /// Total rule violations.
    public var violations: Int

    /// Checks `profile` against `rules`; columns without a rule get only their statistics.
    public init(profile: DataProfile, rules: RuleSet?) {
        rows = profile.rows
        let names = Set(profile.columns.keys).union(rules?.columns.keys ?? [:].keys)
        columns = names.map { Self.check($0, profile.columns[$0], rows: profile.rows, rule: rules?.columns[$0]) }
            .sorted { a, b in
                a.violations.isEmpty != b.violations.isEmpty ? !a.violations.isEmpty : a.column < b.column
            }
        outputs = profile.outputs.keys.sorted().map {
            Self.check($0, profile.outputs[$0], rows: profile.rows, rule: rules?.outputs[$0])
        }
        violations = (columns + outputs).reduce(0) { $0 + $1.violations.count }
    }

    static func check(_ name: String, _ p: ColumnProfile?, rows: Int64, rule: ColumnRule?) -> ColumnQuality {
        let p = p ?? ColumnProfile()
        let type = rule?.type ?? p.majorityType
        let distribution = EmpiricalDistribution(p.numeric)
        var q = ColumnQuality(
            column: name, type: type, rows: rows, missing: rows - p.present,
            missingFraction: rows > 0 ? Double(rows - p.present) / Double(rows) : nil,
            typeErrors: type == .numeric ? p.categorical.count : p.numeric.count, invalid: p.invalid,
            distinct: type == .numeric ? p.numeric.distinct : p.categorical.distinct,
            approximate: type == .numeric ? !p.numeric.isExact : !p.categorical.isExact, violations: [])
        if type == .numeric, p.numeric.count > 0 {
            q.min = p.numeric.min
            q.max = p.numeric.max
            q.mean = p.numeric.mean
            q.std = p.numeric.variance.map { Foundation.sqrt($0) }
            q.quantiles = Quantiles(distribution)
        }
        guard let rule else { return q }
        if let allowed = rule.maxMissingFraction, let f = q.missingFraction, f > allowed {
            q.violations.append(
                RuleViolation(
                    rule: .missing, observed: f, allowed: allowed,
                    message: "\(name) is missing in \(percent(f)) of rows; at most \(percent(allowed)) allowed"))
        }
        if q.typeErrors > 0 {
            let other = type == .numeric ? "strings" : "numbers"
            q.violations.append(
                RuleViolation(
                    rule: .type, observed: Double(q.typeErrors), allowed: 0,
                    message: "\(name) is \(type.rawValue) but \(q.typeErrors) values were \(other)"))
        }
        if q.invalid > 0 {
            q.violations.append(
                RuleViolation(
                    rule: .invalid, observed: Double(q.invalid), allowed: 0,
                    message: "\(name) had \(q.invalid) non-finite numbers"))
        }
        switch type {
        case .numeric: checkRange(&q, p, distribution, rule)
        case .categorical: checkCategories(&q, p, rule)
        }
        return q
    }

    private static func checkRange(
        _ q: inout ColumnQuality, _ p: ColumnProfile, _ d: EmpiricalDistribution, _ rule: ColumnRule
    ) {
        guard rule.min != nil || rule.max != nil else { return }
        var below: Int64 = 0
        var above: Int64 = 0
        // The exact min and max settle the common case even when a sketch holds the distribution.
        if let lo = rule.min, p.numeric.count > 0, p.numeric.min < lo { below = d.countBelow(lo) }
        if let hi = rule.max, p.numeric.count > 0, p.numeric.max > hi { above = d.count - d.countAtOrBelow(hi) }
        q.outOfRange = below + above
        let n = p.numeric.count
        let allowed = rule.maxOutOfRangeFraction ?? 0
        guard n > 0, Double(below + above) / Double(n) > allowed else { return }
        let f = Double(below + above) / Double(n)
        let range = "[\(rule.min.map { "\($0)" } ?? "−∞"), \(rule.max.map { "\($0)" } ?? "∞")]"
        q.violations.append(
            RuleViolation(
                rule: .range, observed: f, allowed: allowed,
                message:
                    "\(below + above) values of \(q.column) (\(percent(f))) are outside \(range) (\(below) below, \(above) above; observed \(p.numeric.min)…\(p.numeric.max))"
            ))
    }

    private static func checkCategories(_ q: inout ColumnQuality, _ p: ColumnProfile, _ rule: ColumnRule) {
        guard let allowedSet = rule.categories.map(Set.init) else { return }
        let unseen = p.categorical.counts.filter { !allowedSet.contains($0.key) }
        let count = unseen.values.reduce(0, +)
        q.unseen = count
        q.unseenExamples = unseen.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(10).map {
            CategoryCount(value: $0.key, count: $0.value)
        }
        let n = p.categorical.count
        let allowed = rule.maxUnseenFraction ?? 0
        guard n > 0, Double(count) / Double(n) > allowed else { return }
        let f = Double(count) / Double(n)
        let names = (q.unseenExamples ?? []).map { "'\($0.value)'" }.joined(separator: ", ")
        q.violations.append(
            RuleViolation(
                rule: .categories, observed: f, allowed: allowed,
                message:
                    "\(q.column) has \(count) values (\(percent(f))) in categories not seen in the reference: \(names)"
            ))
    }

    private static func percent(_ f: Double) -> String { String(format: "%.2f%%", f * 100) }
}
