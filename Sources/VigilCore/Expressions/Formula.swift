import Foundation

/// The outer part of a metric: arithmetic over the values of its aggregate calls.
indirect enum Formula: Hashable, Sendable {
    case constant(Double)
    /// The value of the metric's `i`-th accumulator.
    case accumulator(Int)
    case negate(Formula)
    case binary(String, Formula, Formula)
    case function(String, [Formula])

    /// Evaluates with accumulator values; `nil` propagates (an empty mean, a division by zero).
    func evaluate(_ values: [Double?]) -> Double? {
        switch self {
        case .constant(let v): return v
        case .accumulator(let i): return values[i]
        case .negate(let f): return f.evaluate(values).map { -$0 }
        case .binary(let op, let a, let b):
            guard let x = a.evaluate(values), let y = b.evaluate(values) else { return nil }
            switch op {
            case "+": return x + y
            case "-": return x - y
            case "*": return x * y
            case "/": return y == 0 ? nil : x / y
            case "==": return x == y ? 1 : 0
            case "!=": return x != y ? 1 : 0
            case "<": return x < y ? 1 : 0
            case "<=": return x <= y ? 1 : 0
            case ">": return x > y ? 1 : 0
            case ">=": return x >= y ? 1 : 0
            case "and": return x != 0 && y != 0 ? 1 : 0
            default: return x != 0 || y != 0 ? 1 : 0
            }
        case .function(let name, let args):
            let values = args.map { $0.evaluate(values) }
            guard let x = values[0] else { return nil }
            switch name {
            case "abs": return Swift.abs(x)
            case "log": return x > 0 ? Foundation.log(x) : nil
            case "exp": return Foundation.exp(x)
            case "sqrt": return x >= 0 ? x.squareRoot() : nil
            default:
                guard let lo = values[1], let hi = values[2] else { return nil }
                return Swift.min(Swift.max(x, lo), hi)
            }
        }
    }
}
