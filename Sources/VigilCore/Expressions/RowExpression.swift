import Foundation

/// An expression evaluated on one row (inside `sum(...)`, `mean(...)` and friends).
indirect enum RowExpression: Hashable, Sendable, CustomStringConvertible {
    case constant(RowValue)
    case variable(RowVariable)
    case unary(String, RowExpression)
    case binary(String, RowExpression, RowExpression)
    case function(String, [RowExpression])

    static let functions: [String: ClosedRange<Int>] = [
        "abs": 1...1, "log": 1...1, "exp": 1...1, "sqrt": 1...1, "clip": 3...3,
    ]

    var variables: Set<RowVariable> {
        switch self {
        case .constant: return []
        case .variable(let v): return [v]
        case .unary(_, let e): return e.variables
        case .binary(_, let a, let b): return a.variables.union(b.variables)
        case .function(_, let args): return args.reduce(into: []) { $0.formUnion($1.variables) }
        }
    }

    func evaluate(_ row: RowContext) -> RowValue {
        switch self {
        case .constant(let v): return v
        case .variable(let v): return row.value(of: v)
        case .unary(let op, let e):
            let v = e.evaluate(row)
            if op == "not" { return v == .null ? .null : .bool(!v.isTrue) }
            guard let x = v.number else { return .null }
            return .number(-x)
        case .binary(let op, let a, let b):
            return Self.apply(op, a.evaluate(row), b.evaluate(row))
        case .function(let name, let args):
            let values = args.map { $0.evaluate(row).number }
            guard let x = values[0] else { return .null }
            switch name {
            case "abs": return .number(Swift.abs(x))
            case "log": return x > 0 ? .number(Foundation.log(x)) : .null
            case "exp": return .number(Foundation.exp(x))
            case "sqrt": return x >= 0 ? .number(x.squareRoot()) : .null
            default:
                guard let lo = values[1], let hi = values[2] else { return .null }
                return .number(Swift.min(Swift.max(x, lo), hi))
            }
        }
    }

    static func apply(_ op: String, _ a: RowValue, _ b: RowValue) -> RowValue {
        switch op {
        case "and": return .bool(a.isTrue && b.isTrue)
        case "or": return .bool(a.isTrue || b.isTrue)
        default: break
        }
        if a == .null || b == .null { return .null }
        switch (a, b) {
        case (.number(let x), .number(let y)):
            switch op {
            case "+": return .number(x + y)
            case "-": return .number(x - y)
            case "*": return .number(x * y)
            case "/": return y == 0 ? .null : .number(x / y)
            case "==": return .bool(x == y)
            case "!=": return .bool(x != y)
            case "<": return .bool(x < y)
            case "<=": return .bool(x <= y)
            case ">": return .bool(x > y)
            default: return .bool(x >= y)
            }
        case (.text(let x), .text(let y)):
            switch op {
            case "==": return .bool(x == y)
            case "!=": return .bool(x != y)
            case "<": return .bool(x < y)
            case "<=": return .bool(x <= y)
            case ">": return .bool(x > y)
            case ">=": return .bool(x >= y)
            default: return .null
            }
        default:
            // A class label written as a number in one place and a string in another still compares.
            switch op {
            case "==": return .bool(Self.text(a) == Self.text(b))
            case "!=": return .bool(Self.text(a) != Self.text(b))
            default: return .null
            }
        }
    }

    private static func text(_ v: RowValue) -> String {
        switch v {
        case .text(let s): return s
        case .number(let x): return Outcome.number(x).description
        case .null: return ""
        }
    }

    var description: String {
        switch self {
        case .constant(.null): return "null"
        case .constant(.number(let v)): return "\(v)"
        case .constant(.text(let s)): return "'\(s)'"
        case .variable(let v): return "\(v)"
        case .unary(let op, let e): return "(\(op) \(e))"
        case .binary(let op, let a, let b): return "(\(a) \(op) \(b))"
        case .function(let f, let args): return "\(f)(\(args.map(\.description).joined(separator: ", ")))"
        }
    }
}
