import HTTPTypes
import VigilCore

/// An alert in Alertmanager's v2 API shape (`postableAlert`): labels route and deduplicate it, annotations
/// describe it, `endsAt` resolves it.
struct AlertmanagerAlert: Encodable {
    var labels: [String: String]
    var annotations: [String: String]
    var startsAt: Timestamp
    var endsAt: Timestamp?
    var generatorURL: String?

    init(_ a: Alert, now: Timestamp, configuration: NotificationConfiguration) {
        // The SLO's own labels first, so Vigil's cannot be overridden by them.
        var labels = a.labels
        labels["alertname"] = "VigilSLO"
        labels["slo"] = a.slo
        labels["rule"] = a.rule
        labels["severity"] = a.severity
        labels["model"] = a.model
        if let subject = a.subject { labels["subject"] = subject }
        if let owner = a.owner { labels["owner"] = owner }
        self.labels = labels
        var annotations = ["summary": a.summary]
        if let c = a.context {
            if let v = c.sli.value { annotations["sli_value"] = "\(v)" }
            annotations["sli_samples"] = "\(c.sli.n)"
            if let b = c.budgetRemaining { annotations["budget_remaining"] = "\(b)" }
            if let r = c.recommendation { annotations["recommendation"] = r }
            if !c.topDriftedColumns.isEmpty {
                annotations["drifted_columns"] = c.topDriftedColumns.map(\.column).joined(separator: ", ")
            }
            if !c.worstSlices.isEmpty {
                annotations["worst_slices"] = c.worstSlices.map(\.slice).joined(separator: "; ")
            }
            if !c.worstSegments.isEmpty {
                annotations["worst_segments"] = c.worstSegments.map(\.segment).joined(separator: ", ")
            }
            if !c.recentChanges.isEmpty {
                // The newest few, newest first: what an on-call engineer checks first.
                annotations["recent_changes"] = c.recentChanges.suffix(5).reversed()
                    .map { "\($0.at.iso8601) \($0.summary)" }.joined(separator: "; ")
            }
        }
        self.annotations = annotations
        startsAt = a.firedAt ?? a.activeSince
        switch a.state {
        case .resolved: endsAt = a.resolvedAt ?? now
        case .firing, .pending:
            // As Prometheus does: expire on its own if Vigil stops re-sending (4 resend intervals).
            endsAt = now + configuration.alertmanagerResendInterval * 4
        }
        generatorURL = configuration.externalURL.map { "\($0)/v1/slos/\(a.slo)" }
    }
}
