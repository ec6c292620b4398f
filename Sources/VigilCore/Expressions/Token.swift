/// A lexical token of the metric expression language, with its 1-based column.
struct Token: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        case number(Double)
        case string(String)
        case identifier(String)
        /// `+ - * / ( ) , . == != < <= > >=`
        case symbol(String)
        case end
    }

    var kind: Kind
    var column: Int

    var text: String {
        switch kind {
        case .number(let v): return String(v)
        case .string(let s): return "'\(s)'"
        case .identifier(let s): return s
        case .symbol(let s): return s
        case .end: return "end of expression"
        }
    }
}
