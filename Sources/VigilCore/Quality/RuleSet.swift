import Foundation

/// A model's validation rules: one ``ColumnRule`` per feature column, and optionally per output.
public struct RuleSet: Sendable, Hashable, Codable {
    public var columns: [String: ColumnRule]
    /// Rules for `score` and `prediction` (only their drift thresholds are used).
    public var outputs: [String: ColumnRule]
    /// How drift statistics are computed for this model (`nil`: ``DriftConvention/vigil``).
    public var convention: DriftConvention?

    public init(
        columns: [String: ColumnRule] = [:], outputs: [String: ColumnRule] = [:], convention: DriftConvention? = nil
    ) {
        self.columns = columns
        self.outputs = outputs
        self.convention = convention
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        columns = try c.decodeIfPresent([String: ColumnRule].self, forKey: .columns) ?? [:]
        outputs = try c.decodeIfPresent([String: ColumnRule].self, forKey: .outputs) ?? [:]
        convention = try c.decodeIfPresent(DriftConvention.self, forKey: .convention)
    }

    /// Every problem in the rules (empty when they are valid).
    public var problems: [String] {
        let all =
            columns.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            + outputs.sorted { $0.key < $1.key }.map { ("outputs.\($0.key)", $0.value) }
        return all.flatMap { name, rule in
            rule.problems(column: name)
                + (rule.drift?.statistic == .zPValue && convention != .evidently
                    ? ["\(name).drift.statistic: z_pvalue is Evidently's test; it needs \"convention\": \"evidently\""]
                    : [])
        }
    }

    /// These rules without drift thresholds, so each column takes its convention's default.
    public func withoutDriftThresholds() -> RuleSet {
        var rules = self
        for k in rules.columns.keys { rules.columns[k]?.drift = nil }
        for k in rules.outputs.keys { rules.outputs[k]?.drift = nil }
        return rules
    }

    /// Rules inferred from a reference, as TensorFlow Data Validation infers a schema:
    ///
    /// - type: the column's majority kind;
    /// - missing: at most the reference's missing fraction plus the larger of itself and one point
    ///   (2% in the reference allows 4%; 0% allows 1%);
    /// - numeric range: the reference's min and max, with up to 0.1% of values allowed outside
    ///   (a fresh sample of a continuous feature exceeds its reference's maximum now and then);
    /// - categories: the reference's categories when they were counted exactly; none may be unseen;
    /// - drift: PSI ≥ 0.2.
    public static func suggested(from reference: DataProfile) -> RuleSet {
        RuleSet(
            columns: reference.columns.mapValues { suggest($0, rows: reference.rows) },
            outputs: reference.outputs.mapValues { suggest($0, rows: reference.rows) })
    }

    private static func suggest(_ p: ColumnProfile, rows: Int64) -> ColumnRule {
        let missing = rows > 0 ? Double(rows - p.present) / Double(rows) : 0
        let allowed = Swift.min(1, missing + Swift.max(0.01, missing))
        var rule = ColumnRule(
            type: p.majorityType, maxMissingFraction: (allowed * 10_000).rounded(.up) / 10_000,
            drift: .default)
        switch rule.type {
        case .numeric:
            if p.numeric.count > 0 {
                rule.min = p.numeric.min
                rule.max = p.numeric.max
                rule.maxOutOfRangeFraction = 0.001
            }
        case .categorical:
            if p.categorical.isExact {
                rule.categories = p.categorical.counts.keys.sorted()
                rule.maxUnseenFraction = 0
            }
        }
        return rule
    }
}
