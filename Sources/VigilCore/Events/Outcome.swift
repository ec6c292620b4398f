/// A model output or a ground-truth label: a class name or a number.
///
/// Binary classifiers use the numbers `0` and `1`; multiclass classifiers use class names;
/// regression models use any finite number.
public enum Outcome: Hashable, Sendable, Codable, CustomStringConvertible {
    case number(Double)
    case category(String)

    public var description: String {
        switch self {
        case .number(let v): return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        case .category(let s): return s
        }
    }

    /// The class name this outcome stands for: numbers name classes by their shortest form (`2.0` → `"2"`).
    var className: String { description }
}
