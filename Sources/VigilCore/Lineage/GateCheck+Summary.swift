extension GateCheck {
    /// A check of a dataset known by its ``DatasetSummary`` rather than its rows. It checks what the summary
    /// can show: a rule's column absent (from a complete summary) or of the wrong type, a missing fraction
    /// above the rule's, values beyond the rule's range (a summary has no counts: any is a violation),
    /// unseen categories (counted), a failed assertion, no rows. A rule's column the summary says nothing
    /// about fails too: a gate passes what it could check, not what it could not.
    public init(gate: DataGate, summary: DatasetSummary, at: Timestamp, runId: String? = nil, dataset: String? = nil) {
        self.gate = gate.name
        rows = summary.rows ?? 0
        checkedAt = at
        self.runId = runId
        self.dataset = dataset
        var found: [String: [RuleViolation]] = [:]
        if summary.rows == 0 {
            found["*"] = [RuleViolation(rule: .missing, observed: 0, allowed: 1, message: "the dataset has no rows")]
        }
        let unreported =
            "nothing was reported about this column (no schema field, null count or profile): check the rows with POST /v1/gates/\(gate.name)/check"
        for (column, rule) in gate.rules.columns {
            let v: [RuleViolation]
            if let c = summary.columns[column] {
                v = Self.violations(column, rule, c, rows: summary.rows)
            } else if summary.complete {
                v = Self.absent(column, rule)
            } else {
                v = [RuleViolation(rule: .invalid, observed: 0, allowed: 0, message: unreported)]
            }
            if !v.isEmpty { found[column] = v }
        }
        for a in summary.failedAssertions {
            found[a.column ?? "*", default: []].append(
                RuleViolation(rule: .invalid, observed: 1, allowed: 0, message: "assertion '\(a.assertion)' failed"))
        }
        columns = found.map { Column(column: $0.key, violations: $0.value) }
            .sorted { ($0.violations.count, $1.column) > ($1.violations.count, $0.column) }
        violations = columns.reduce(0) { $0 + $1.violations.count }
        verdict = violations == 0 ? .pass : .fail
    }

    /// A column the data lacks is missing in every row.
    static func absent(_ column: String, _ rule: ColumnRule) -> [RuleViolation] {
        guard let allowed = rule.maxMissingFraction, allowed < 1 else { return [] }
        return [RuleViolation(rule: .missing, observed: 1, allowed: allowed, message: "the dataset has no column '\(column)'")]
    }

    static func violations(_ column: String, _ rule: ColumnRule, _ c: DatasetSummary.Column, rows: Int64?)
        -> [RuleViolation]
    {
        var out: [RuleViolation] = []
        if let type = c.type, type != rule.type {
            out.append(
                RuleViolation(
                    rule: .type, observed: 1, allowed: 0, message: "\(column) is \(type.rawValue); the rule wants \(rule.type.rawValue)"))
        }
        if let allowed = rule.maxMissingFraction, let nulls = c.nulls, let rows, rows > 0,
            Double(nulls) / Double(rows) > allowed
        {
            let f = Double(nulls) / Double(rows)
            out.append(
                RuleViolation(
                    rule: .missing, observed: f, allowed: allowed,
                    message: "\(column): \(nulls) of \(rows) rows are null (\(percent(f))); at most \(percent(allowed)) allowed"))
        }
        if let beyond = Self.beyondRange(c, rule) {
            out.append(
                RuleViolation(
                    rule: .range, observed: 1, allowed: rule.maxOutOfRangeFraction ?? 0,
                    message: "\(column) reaches \(beyond), outside [\(rule.min.map { "\($0)" } ?? "−∞"), \(rule.max.map { "\($0)" } ?? "∞")] (a summary does not count how many values are: send rows for the fraction)"))
        }
        if let allowed = rule.categories.map(Set.init), let counts = c.categories {
            let present = counts.values.reduce(0, +)
            let unseen = counts.filter { !allowed.contains($0.key) }
            let f = present > 0 ? Double(unseen.values.reduce(0, +)) / Double(present) : 0
            let limit = rule.maxUnseenFraction ?? 0
            if f > limit {
                let names = unseen.keys.sorted().prefix(10).map { "'\($0)'" }.joined(separator: ", ")
                out.append(
                    RuleViolation(
                        rule: .categories, observed: f, allowed: limit,
                        message: "\(column) has \(percent(f)) of values in categories outside the rule: \(names)"))
            }
        }
        return out
    }

    /// The summary's minimum below the rule's, or maximum above it.
    static func beyondRange(_ c: DatasetSummary.Column, _ rule: ColumnRule) -> Double? {
        if let lo = rule.min, let min = c.min, min < lo { return min }
        if let hi = rule.max, let max = c.max, max > hi { return max }
        return nil
    }

    private static func percent(_ x: Double) -> String { "\((x * 10_000).rounded() / 100)%" }
}
