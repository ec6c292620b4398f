/// The alert lifecycle of every SLO rule, as a value: feed it evaluations in time order and it returns
/// the transitions — pending → firing → resolved — with one live alert per SLO and rule (deduplicated).
///
/// ```swift
/// var tracker = AlertTracker()
/// let changes = tracker.update(slo, status, at: now) { engine.alertContext(...) }
/// for change in changes where change.notifies { notify(change) }
/// ```
///
/// A pending alert needs the rule's start condition (`fires`) at every evaluation until `for` has passed;
/// a firing alert stays firing while the weaker `holds` condition is true.
public struct AlertTracker: Sendable, Hashable {
    /// Pending and firing alerts by ``Alert/key``.
    public private(set) var active: [String: Alert] = [:]

    public init(active: [Alert] = []) {
        for a in active where a.state != .resolved { self.active[a.key] = a }
    }

    public mutating func update(
        _ slo: SLODefinition, _ status: SLOStatus, at t: Timestamp, context: () -> AlertContext?
    ) -> [AlertTransition] {
        var changes: [AlertTransition] = []
        var builtContext: AlertContext??
        func contextOnce() -> AlertContext? {
            if let c = builtContext { return c }
            let c = context()
            builtContext = .some(c)
            return c
        }
        for rule in slo.rules {
            guard let c = status.conditions.first(where: { $0.rule == rule.name }) else { continue }
            let key = "\(slo.name)/\(rule.name)"
            if var a = active[key] {
                a.updatedAt = t
                let stillTrue = a.state == .firing ? c.holds : c.fires
                guard stillTrue else {
                    let from = a.state
                    a.state = .resolved
                    a.resolvedAt = t
                    active[key] = nil
                    changes.append(AlertTransition(alert: a, from: from, to: .resolved, at: t))
                    continue
                }
                if a.state == .pending, t - rule.forDuration >= a.activeSince {
                    fire(&a, at: t, context: contextOnce())
                    changes.append(AlertTransition(alert: a, from: .pending, to: .firing, at: t))
                }
                active[key] = a
            } else if c.fires {
                var a = Alert(slo: slo, rule: rule, at: t, summary: Self.summary(slo, rule, c))
                if rule.forDuration == .zero {
                    fire(&a, at: t, context: contextOnce())
                    changes.append(AlertTransition(alert: a, from: nil, to: .firing, at: t))
                } else {
                    changes.append(AlertTransition(alert: a, from: nil, to: .pending, at: t))
                }
                active[key] = a
            }
        }
        return changes
    }

    /// Resolves the alerts of SLOs and rules that no longer exist.
    public mutating func retain(_ slos: [SLODefinition], at t: Timestamp) -> [AlertTransition] {
        let live = Set(slos.flatMap { slo in slo.rules.map { "\(slo.name)/\($0.name)" } })
        var changes: [AlertTransition] = []
        for (key, var a) in active where !live.contains(key) {
            let from = a.state
            a.state = .resolved
            a.resolvedAt = t
            a.updatedAt = t
            active[key] = nil
            changes.append(AlertTransition(alert: a, from: from, to: .resolved, at: t))
        }
        return changes.sorted { $0.alert.id < $1.alert.id }
    }

    private func fire(_ a: inout Alert, at t: Timestamp, context: AlertContext?) {
        a.state = .firing
        a.firedAt = t
        a.context = context
    }

    static func summary(_ slo: SLODefinition, _ rule: AlertRule, _ c: SLOStatus.RuleCondition) -> String {
        let scope = [slo.version.map { "version \($0)" }, slo.segment.map { "segment \($0.key)=\($0.value)" }]
            .compactMap { $0 }.joined(separator: ", ")
        return
            "\(slo.watched)\(scope.isEmpty ? "" : " (\(scope))"): SLO \(slo.name) (\(slo.sli) \(slo.objective)) — \(rule.name): \(c.reason)"
    }
}
