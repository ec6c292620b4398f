/// What an on-call engineer wants to see with an alert, gathered over the SLO window when it fires.
public struct AlertContext: Sendable, Hashable, Codable {
    public struct DriftedColumn: Sendable, Hashable, Codable {
        public var column: String
        public var statistic: String
        public var value: Double?
        public var threshold: Double
    }

    public struct SegmentValue: Sendable, Hashable, Codable {
        public var segment: String
        public var value: Double?
        public var n: Int64
    }

    /// A slice found worse than the rest of the traffic (see ``Engine/slices(model:metric:from:to:baseline:minSize:fdr:limit:)``).
    public struct WorstSlice: Sendable, Hashable, Codable {
        public var slice: String
        public var value: Double?
        public var rest: Double?
        public var n: Int64
        /// Its share of the SLO's bad events beyond the rest's rate.
        public var impact: Double
    }

    public struct VersionSeen: Sendable, Hashable, Codable {
        public var version: String
        /// The first bucket (hour or day) with a prediction of this version.
        public var firstSeen: Timestamp

        enum CodingKeys: String, CodingKey {
            case version
            case firstSeen = "first_seen"
        }
    }

    public var sli: SLISample
    public var objective: String
    public var window: String
    public var budgetRemaining: Double?
    public var burnRates: [SLOStatus.WindowBurn]
    /// Drifted columns over the SLO window, most drifted first (empty without a reference).
    public var topDriftedColumns: [DriftedColumn]
    /// Segments with the worst SLI over the window (at least `min_samples` each), worst first.
    public var worstSegments: [SegmentValue]
    /// Slices nobody declared where the metric is worse than elsewhere (5 % false discovery rate), worst first.
    public var worstSlices: [WorstSlice] = []
    /// Versions that first served inside the SLO window.
    public var recentVersions: [VersionSeen]
    /// The model's changes (deployments, stage and traffic moves, references, rules, SLOs, custom metrics) in
    /// the ``AlertContext/changeLookback`` before the alert began, and since: most incidents follow a change.
    public var recentChanges: [Change] = []
    /// What to do, when the SLO says: `roll back to v1: …` for a candidate shown worse than its baseline.
    public var recommendation: String?

    /// How far before an alert began its changes are gathered.
    public static let changeLookback: Duration = .seconds(24 * 3600)

    enum CodingKeys: String, CodingKey {
        case sli, objective, window, budgetRemaining = "budget_remaining", burnRates = "burn_rates"
        case topDriftedColumns = "top_drifted_columns", worstSegments = "worst_segments", worstSlices = "worst_slices"
        case recentVersions = "recent_versions", recentChanges = "recent_changes", recommendation
    }
}

extension AlertContext {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sli = try c.decode(SLISample.self, forKey: .sli)
        objective = try c.decode(String.self, forKey: .objective)
        window = try c.decode(String.self, forKey: .window)
        budgetRemaining = try c.decodeIfPresent(Double.self, forKey: .budgetRemaining)
        burnRates = try c.decode([SLOStatus.WindowBurn].self, forKey: .burnRates)
        topDriftedColumns = try c.decode([DriftedColumn].self, forKey: .topDriftedColumns)
        worstSegments = try c.decode([SegmentValue].self, forKey: .worstSegments)
        // Alerts stored before slices were found have none.
        worstSlices = try c.decodeIfPresent([WorstSlice].self, forKey: .worstSlices) ?? []
        recentVersions = try c.decode([VersionSeen].self, forKey: .recentVersions)
        // Alerts stored before the change timeline existed have none.
        recentChanges = try c.decodeIfPresent([Change].self, forKey: .recentChanges) ?? []
        recommendation = try c.decodeIfPresent(String.self, forKey: .recommendation)
    }
}
