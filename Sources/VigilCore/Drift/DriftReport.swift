/// Per-column drift of a window against a reference, ranked: the columns that drifted most come first.
///
/// Numeric columns are compared with PSI over the reference's decile bins, Kolmogorov–Smirnov,
/// Wasserstein-1 and Jensen–Shannon; categorical ones with PSI, chi-square and Jensen–Shannon over the
/// union of categories. Model outputs (score, prediction) are compared the same way, which needs no labels.
public struct DriftReport: Sendable, Hashable, Codable {
    /// How the statistics were computed.
    public var convention: DriftConvention
    public var referenceRows: Int64
    public var currentRows: Int64
    /// Feature columns, most drifted first.
    public var columns: [ColumnDrift]
    /// `score` and `prediction`.
    public var outputs: [ColumnDrift]
    /// The names of the drifted columns (features then outputs), most drifted first.
    public var drifted: [String]

    enum CodingKeys: String, CodingKey {
        case referenceRows = "reference_rows", currentRows = "current_rows", columns, outputs, drifted, convention
    }

    /// Compares `current` with `reference`, column by column.
    ///
    /// - Parameters:
    ///   - rules: per-column types and drift thresholds; a column without a rule gets the reference's majority
    ///     type and the convention's default threshold.
    ///   - convention: overrides the rules' convention.
    public init(reference: DataProfile, current: DataProfile, rules: RuleSet? = nil, convention: DriftConvention? = nil)
    {
        let convention = convention ?? rules?.convention ?? .vigil
        self.convention = convention
        referenceRows = reference.rows
        currentRows = current.rows
        columns = Self.compare(
            reference.columns, reference.rows, current.columns, current.rows, rules: rules?.columns ?? [:],
            convention)
        // Outputs only where the reference has them (uploaded training data often has no scores).
        outputs = Self.compare(
            reference.outputs, reference.rows, current.outputs.filter { reference.outputs[$0.key] != nil },
            current.rows, rules: rules?.outputs ?? [:], convention)
        drifted = (columns + outputs).filter { $0.verdict == .drift }.map(\.column)
    }

    private static func compare(
        _ reference: [String: ColumnProfile], _ referenceRows: Int64, _ current: [String: ColumnProfile],
        _ currentRows: Int64, rules: [String: ColumnRule], _ convention: DriftConvention
    ) -> [ColumnDrift] {
        let names = Set(reference.keys).union(current.keys).union(rules.keys.filter { reference[$0] != nil })
        let results = names.map { name in
            ColumnDriftAnalysis(
                name: name, reference: reference[name], referenceRows: referenceRows, current: current[name],
                currentRows: currentRows, rule: rules[name], convention: convention
            ).result()
        }
        return results.sorted(by: rankedBefore)
    }

    /// Drifted first, then by severity (descending), then by name.
    static func rankedBefore(_ a: ColumnDrift, _ b: ColumnDrift) -> Bool {
        let da = a.verdict == .drift
        let db = b.verdict == .drift
        if da != db { return da }
        let sa = a.severity ?? -1
        let sb = b.severity ?? -1
        if sa != sb { return sa > sb }
        return a.column < b.column
    }
}
