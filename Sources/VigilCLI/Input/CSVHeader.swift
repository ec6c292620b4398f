/// A CSV file's column names, shared by its rows, with what each column means for a prediction — worked out
/// once per file rather than per row.
final class CSVHeader {
    let names: [String]
    /// The column of each name (``InputFile`` refuses a header that repeats one).
    let index: [String: Int]

    /// The columns read on every row, found once rather than looked up by name per row: `id`, the time
    /// (`timestamp`, else `ts`, else `time`), `model`, `version`, `prediction` and `label`.
    let id: Int?
    let time: (column: Int, name: String)?
    let model: Int?
    let version: Int?
    let prediction: Int?
    let label: Int?

    init(_ names: [String]) {
        self.names = names
        let index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        self.index = index
        id = index["id"]
        time = EventDecoder.timeKeys.lazy.compactMap { name in index[name].map { ($0, name) } }.first
        model = index["model"]
        version = index["version"]
        prediction = index["prediction"]
        label = index["label"]
    }

    /// What a column of a predictions file holds.
    enum Role {
        /// Read by name (`id`, the time, `model`, `version`, `prediction`) or a feature nothing reads: skipped
        /// here.
        case skipped
        case shadow
        case score
        case classScore(String)
        case segment(String)
        case feature(String)
    }

    private var cachedRoles: (segments: Set<String>, features: Bool, roles: [Role], featureCount: Int)?

    /// Each column's role, with `segments` naming the columns taken as segment tags; without `features`, the
    /// other columns are skipped rather than read as features. Also how many columns are features, so that a
    /// row's feature dictionary is made at its size once.
    func roles(segments: Set<String>, features: Bool) -> (roles: [Role], featureCount: Int) {
        if let cachedRoles, cachedRoles.segments == segments, cachedRoles.features == features {
            return (cachedRoles.roles, cachedRoles.featureCount)
        }
        let roles = names.map { column -> Role in
            switch column {
            case "id", "timestamp", "ts", "time", "model", "version", "prediction": return .skipped
            case "shadow": return .shadow
            case "score": return .score
            case _ where column.hasPrefix("score_"): return .classScore(String(column.dropFirst(6)))
            case _ where segments.contains(column): return .segment(column)
            default: return features ? .feature(column) : .skipped
            }
        }
        let featureCount = roles.count { if case .feature = $0 { true } else { false } }
        cachedRoles = (segments, features, roles, featureCount)
        return (roles, featureCount)
    }
}

/// One CSV record: its fields in column order, read through the header's column positions.
struct CSVRow {
    let header: CSVHeader
    let fields: [String]

    /// The field in `column`, if the file has that column.
    @inline(__always)
    subscript(_ column: Int?) -> String? { column.map { fields[$0] } }
}
