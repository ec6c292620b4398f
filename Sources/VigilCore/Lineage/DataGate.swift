/// A named set of validation rules that a dataset must pass before a job may use it — a retraining job
/// checks its training data, a feature job its output.
public struct DataGate: Sendable, Hashable, Codable {
    public var name: String
    public var rules: RuleSet
    public var description: String?
    public var updatedAt: Timestamp

    public init(name: String, rules: RuleSet, description: String? = nil, updatedAt: Timestamp) {
        self.name = name
        self.rules = rules
        self.description = description
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey { case name, rules, description, updatedAt = "updated_at" }

    /// Gate names: letters, digits, `-`, `_` and `.`, at most 128 bytes.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 128
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}

/// The outcome of checking one dataset against a gate: `pass`, or `fail` with every violated rule per column.
///
/// ```swift
/// let check = GateCheck(gate: gate, profile: table.profile, at: now)
/// check.verdict      // .fail
/// check.columns[0]   // {column: "fare", violations: [{rule: "missing", observed: 0.31, allowed: 0.01, …}]}
/// ```
public struct GateCheck: Sendable, Hashable, Codable {
    public enum Verdict: String, Sendable, Hashable, Codable { case pass, fail }

    public struct Column: Sendable, Hashable, Codable {
        public var column: String
        public var violations: [RuleViolation]
    }

    public var id: Int64?
    public var gate: String
    public var verdict: Verdict
    public var rows: Int64
    public var violations: Int
    /// The columns that broke a rule, most violations first.
    public var columns: [Column]
    public var checkedAt: Timestamp
    /// The run the check was made for, and the dataset checked (`namespace/name`), when given.
    public var runId: String?
    public var dataset: String?

    enum CodingKeys: String, CodingKey {
        case id, gate, verdict, rows, violations, columns, checkedAt = "checked_at", runId = "run_id", dataset
    }

    public init(gate: DataGate, profile: DataProfile, at: Timestamp, runId: String? = nil, dataset: String? = nil) {
        let report = QualityReport(profile: profile, rules: gate.rules)
        self.gate = gate.name
        rows = report.rows
        columns = report.columns.filter { !$0.violations.isEmpty }.map { Column(column: $0.column, violations: $0.violations) }
            .sorted { ($0.violations.count, $1.column) > ($1.violations.count, $0.column) }
        violations = columns.reduce(0) { $0 + $1.violations.count }
        // No rows is no evidence that the data is fine.
        verdict = violations == 0 && rows > 0 ? .pass : .fail
        if rows == 0 {
            columns.insert(
                Column(
                    column: "*",
                    violations: [RuleViolation(rule: .missing, observed: 0, allowed: 1, message: "the dataset has no rows")]),
                at: 0)
            violations += 1
        }
        checkedAt = at
        self.runId = runId
        self.dataset = dataset
    }
}
