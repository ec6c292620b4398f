extension GateCheck {
    /// A check of what a run *said* about a dataset it wrote — its schema, row count, null counts and
    /// data-quality assertions (OpenLineage facets) — against a gate declared on the job, when the rows
    /// themselves were not sent. It checks what the facets can show: a rule's column absent from the schema or
    /// of the wrong type, a missing fraction above the rule's, a failed assertion, no rows. A rule's column
    /// the facets say nothing about fails too: a gate passes what it could check, not what it could not.
    public init(gate: DataGate, facts: DatasetFacts, at: Timestamp, runId: String) {
        self.gate = gate.name
        rows = facts.rowCount ?? 0
        checkedAt = at
        self.runId = runId
        dataset = "\(facts.namespace)/\(facts.name)"
        var found: [String: [RuleViolation]] = [:]
        if facts.rowCount == 0 {
            found["*"] = [RuleViolation(rule: .missing, observed: 0, allowed: 1, message: "the dataset has no rows")]
        }
        let unreported =
            "the run reported nothing about this column (no schema field, no null count): send the rows to POST /v1/gates/\(gate.name)/check?run_id=\(runId)&dataset=\(dataset ?? "")"
        for (column, rule) in gate.rules.columns {
            let reported = facts.fields != nil || facts.nullCounts?[column] != nil
            let v = reported
                ? Self.violations(column, rule, facts)
                : [RuleViolation(rule: .invalid, observed: 0, allowed: 0, message: unreported)]
            if !v.isEmpty { found[column] = v }
        }
        for a in facts.failedAssertions {
            found[a.column ?? "*", default: []].append(
                RuleViolation(rule: .invalid, observed: 1, allowed: 0, message: "assertion '\(a.assertion)' failed"))
        }
        columns = found.map { Column(column: $0.key, violations: $0.value) }
            .sorted { ($0.violations.count, $1.column) > ($1.violations.count, $0.column) }
        violations = columns.reduce(0) { $0 + $1.violations.count }
        verdict = violations == 0 ? .pass : .fail
    }

    static func violations(_ column: String, _ rule: ColumnRule, _ facts: DatasetFacts) -> [RuleViolation] {
        var out: [RuleViolation] = []
        let allowed = rule.maxMissingFraction ?? 0
        if let fields = facts.fields {
            guard let field = fields.first(where: { $0.name == column }) else {
                return [RuleViolation(rule: .missing, observed: 1, allowed: allowed, message: "the schema has no column '\(column)'")]
            }
            if let type = field.type.flatMap(Self.columnType), type != rule.type {
                out.append(
                    RuleViolation(
                        rule: .type, observed: 1, allowed: 0,
                        message: "the schema says \(field.type ?? "?") (\(type.rawValue)); the rule wants \(rule.type.rawValue)"))
            }
        }
        if let nulls = facts.nullCounts?[column], let rows = facts.rowCount, rows > 0 {
            let fraction = Double(nulls) / Double(rows)
            if fraction > allowed {
                out.append(
                    RuleViolation(
                        rule: .missing, observed: fraction, allowed: allowed,
                        message: "\(nulls) of \(rows) rows are null (\(Self.percent(fraction))), above the allowed \(Self.percent(allowed))"))
            }
        }
        return out
    }

    /// The rule type a schema facet's type names, when it names one plainly.
    static func columnType(_ text: String) -> ColumnType? {
        let t = text.lowercased().prefix { $0.isLetter }
        if ["int", "integer", "long", "bigint", "smallint", "tinyint", "float", "double", "decimal", "numeric",
            "number", "real", "float64", "int64", "int32", "float32"].contains(String(t)) || t.hasPrefix("int")
            || t.hasPrefix("float")
        {
            return .numeric
        }
        if ["string", "varchar", "text", "char", "str", "object", "category", "enum"].contains(String(t)) { return .categorical }
        return nil
    }

    private static func percent(_ x: Double) -> String { "\((x * 10_000).rounded() / 100)%" }
}
