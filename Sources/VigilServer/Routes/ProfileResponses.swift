import VigilCore
import VigilStore

/// What `GET/PUT /v1/models/{model}/reference` answer: where the reference came from and its columns.
struct ReferenceSummary: Encodable {
    struct Source: Encodable {
        var type: String
        var format: String?
        var from: Timestamp?
        var to: Timestamp?
        var version: String?
    }

    struct Column: Encodable {
        var name: String
        var type: ColumnType
        var count: Int64
        var missingFraction: Double
        var distinct: Double

        enum CodingKeys: String, CodingKey {
            case name, type, count, distinct
            case missingFraction = "missing_fraction"
        }
    }

    var model: String
    var source: Source
    var createdAt: Timestamp
    var rows: Int64
    var columns: [Column]
    var outputs: [Column]

    enum CodingKeys: String, CodingKey {
        case model, source, rows, columns, outputs
        case createdAt = "created_at"
    }

    init(model: String, _ r: StoredReference) {
        self.model = model
        switch r.source {
        case .upload(let format): source = Source(type: "upload", format: format.rawValue)
        case .window(let from, let to, let version):
            source = Source(type: "window", from: from, to: to, version: version)
        }
        createdAt = r.createdAt
        rows = r.profile.rows
        let describe = { (columns: [String: ColumnProfile]) in
            columns.sorted { $0.key < $1.key }.map { name, c in
                let type = c.majorityType
                return Column(
                    name: name, type: type, count: type == .numeric ? c.numeric.count : c.categorical.count,
                    missingFraction: r.profile.rows > 0 ? Double(r.profile.missing(c)) / Double(r.profile.rows) : 0,
                    distinct: type == .numeric ? c.numeric.distinct : c.categorical.distinct)
            }
        }
        columns = describe(r.profile.columns)
        outputs = describe(r.profile.outputs)
    }
}

/// `GET /v1/models/{model}/drift`.
struct DriftResponse: Encodable {
    var model: String
    var from: Timestamp?
    var to: Timestamp?
    var version: String?
    var reference: ReferenceSummary.Source
    /// `user` (stored rules), or `suggested` (inferred from the reference).
    var rules: String
    var convention: DriftConvention
    var referenceRows: Int64
    var currentRows: Int64
    var drifted: [String]
    var columns: [ColumnDrift]
    var outputs: [ColumnDrift]
    var untrackedColumns: [String]?

    enum CodingKeys: String, CodingKey {
        case model, from, to, version, reference, rules, convention, drifted, columns, outputs
        case referenceRows = "reference_rows", currentRows = "current_rows", untrackedColumns = "untracked_columns"
    }
}

/// `GET /v1/models/{model}/quality`.
struct QualityResponse: Encodable {
    var model: String
    var from: Timestamp?
    var to: Timestamp?
    var version: String?
    /// `user`, `suggested` or `none` (no reference and no stored rules: statistics only).
    var rules: String
    var rows: Int64
    var violations: Int
    var columns: [ColumnQuality]
    var outputs: [ColumnQuality]
}

/// `GET/PUT /v1/models/{model}/rules`.
struct RulesResponse: Encodable {
    var model: String
    var source: String
    var rules: RuleSet
}
