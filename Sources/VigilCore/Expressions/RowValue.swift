/// A value of a row expression: a number (booleans are 1 and 0), a string, or null.
enum RowValue: Hashable, Sendable {
    case null
    case number(Double)
    case text(String)

    var number: Double? {
        if case .number(let v) = self { return v }
        return nil
    }

    var isTrue: Bool {
        switch self {
        case .number(let v): return v != 0 && !v.isNaN
        case .text(let s): return !s.isEmpty
        case .null: return false
        }
    }

    static func bool(_ b: Bool) -> RowValue { .number(b ? 1 : 0) }
}
