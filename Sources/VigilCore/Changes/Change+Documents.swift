/// Timeline entries for what is edited beside deployments: SLOs, references, rules and custom metrics.
extension Change {
    /// An SLO defined (`old` nil) or edited; nil when nothing changed.
    public static func slo(_ new: SLODefinition, replacing old: SLODefinition?, at t: Timestamp) -> Change? {
        guard old != new else { return nil }
        let target = "\(new.sli) \(new.objective) over \(Self.duration(new.window))"
        guard let old else {
            return Change(
                model: new.model, at: t, kind: .slo, subject: new.name, to: target,
                summary: "SLO '\(new.name)' defined: \(target)")
        }
        let before = "\(old.sli) \(old.objective) over \(Self.duration(old.window))"
        return Change(
            model: new.model, at: t, kind: .slo, subject: new.name, from: before, to: target,
            summary: before == target ? "SLO '\(new.name)' edited" : "SLO '\(new.name)': \(before) → \(target)")
    }

    public static func sloRemoved(_ slo: SLODefinition, at t: Timestamp) -> Change {
        Change(model: slo.model, at: t, kind: .slo, subject: slo.name, summary: "SLO '\(slo.name)' removed")
    }

    /// The drift reference set (`how` says from what) or removed (`how` nil).
    public static func reference(model: String, at t: Timestamp, how: String?) -> Change {
        Change(
            model: model, at: t, kind: .reference, subject: "reference",
            summary: how.map { "reference set from \($0)" } ?? "reference removed")
    }

    /// The validation rules set or removed.
    public static func rules(model: String, at t: Timestamp, columns: Int?) -> Change {
        Change(
            model: model, at: t, kind: .rules, subject: "rules",
            summary: columns.map { "rules set for \($0) column\($0 == 1 ? "" : "s")" } ?? "rules removed")
    }

    /// A custom metric defined (with its expression) or removed (`expression` nil).
    public static func customMetric(model: String, name: String, expression: String?, backfill: Bool = false, at t: Timestamp)
        -> Change
    {
        guard let expression else {
            return Change(
                model: model, at: t, kind: .customMetric, subject: name, summary: "custom metric '\(name)' removed")
        }
        return Change(
            model: model, at: t, kind: .customMetric, subject: name, to: expression,
            summary: "custom metric '\(name)' defined\(backfill ? " (backfilled)" : ""): \(expression)")
    }

    /// `30d`, `6h`, `90m`: the largest whole unit.
    static func duration(_ d: Duration) -> String {
        let s = d.components.seconds
        for (unit, size) in [("d", Int64(86_400)), ("h", 3_600), ("m", 60)] where s >= size && s % size == 0 {
            return "\(s / size)\(unit)"
        }
        return "\(s)s"
    }
}
