/// A CSV file's column names, shared by its rows, with what each column means for a prediction — worked out
/// once per file rather than per row.
final class CSVHeader {
    let names: [String]
    /// The first column of each name.
    let index: [String: Int]

    init(_ names: [String]) {
        self.names = names
        index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// What a column of a predictions file holds.
    enum Role {
        /// Read by name (`id`, the time, `model`, `version`, `prediction`), a repeated name, or a feature nothing
        /// reads: skipped here.
        case skipped
        case shadow
        case score
        case classScore(String)
        case segment(String)
        case feature(String)
    }

    private var cachedRoles: (segments: Set<String>, features: Bool, roles: [Role])?

    /// Each column's role, with `segments` naming the columns taken as segment tags; without `features`, the
    /// other columns are skipped rather than read as features.
    func roles(segments: Set<String>, features: Bool) -> [Role] {
        if let cachedRoles, cachedRoles.segments == segments, cachedRoles.features == features {
            return cachedRoles.roles
        }
        let roles = names.enumerated().map { (k, column) -> Role in
            guard index[column] == k else { return .skipped }  // a repeated column: the first one counts
            switch column {
            case "id", "timestamp", "ts", "time", "model", "version", "prediction": return .skipped
            case "shadow": return .shadow
            case "score": return .score
            case _ where column.hasPrefix("score_"): return .classScore(String(column.dropFirst(6)))
            case _ where segments.contains(column): return .segment(column)
            default: return features ? .feature(column) : .skipped
            }
        }
        cachedRoles = (segments, features, roles)
        return roles
    }
}

/// One CSV record: its fields in column order, read by name through the header.
struct CSVRow {
    let header: CSVHeader
    let fields: [String]

    subscript(_ name: String) -> String? { header.index[name].map { fields[$0] } }
}
