import Foundation

extension Deployment {
    /// What one model's deployment records may hold (see `docs/limits.md`).
    public enum Limits {
        public static let deploymentsPerModel = 1_000
        public static let offlineMetrics = 100
        public static let labels = 64
        public static let trainingData = 100
        /// Names: model, version, metric names, label keys, owner.
        public static let nameBytes = 256
        /// References and label values: code refs, run ids, dataset URIs.
        public static let textBytes = 1_024
    }

    /// Fills what a record implies: a retired version ended when it was retired.
    public mutating func normalize() {
        if stage == .retired, endedAt == nil { endedAt = max(updatedAt, startedAt) }
    }

    /// Checks the record on its own and among the model's other deployments (`others` excludes this
    /// version): one primary at a time, serving shares adding up to at most 1, the limits.
    public func validate(among others: [Deployment]) throws(DeploymentError) {
        try validateFields()
        if others.count >= Limits.deploymentsPerModel {
            throw DeploymentError(
                .limitExceeded, field: "version",
                "model '\(model)' has \(others.count) deployments; at most \(Limits.deploymentsPerModel) are kept")
        }
        let serving = others.filter { $0.stage != .retired && $0.endedAt == nil }
        if stage == .primary, let primary = serving.first(where: { $0.stage == .primary }) {
            throw DeploymentError(
                .stageConflict, field: "stage",
                "model '\(model)' already has a primary, '\(primary.version)'; retire it first, or promote with ?replaces=\(primary.version)"
            )
        }
        try validateShares(serving)
    }

    private func validateShares(_ serving: [Deployment]) throws(DeploymentError) {
        guard stage == .canary || stage == .primary, endedAt == nil else { return }
        let sharing = serving.filter { ($0.stage == .canary || $0.stage == .primary) && $0.trafficShare != nil }
        let total = sharing.reduce(trafficShare ?? 0) { $0 + ($1.trafficShare ?? 0) }
        guard total <= 1 + 1e-9 else {
            let parts = ([self] + sharing).map { "\($0.version) \(Self.percent($0.trafficShare ?? 0))" }
            throw DeploymentError(
                .trafficShareExceeded, field: "traffic_share",
                "the serving versions' traffic shares would add up to \(Self.percent(total)) (\(parts.joined(separator: ", "))); at most 100%"
            )
        }
    }

    private func validateFields() throws(DeploymentError) {
        try Self.checkName(model, field: "model")
        try Self.checkName(version, field: "version")
        if let share = trafficShare {
            guard share.isFinite, (0...1).contains(share) else {
                throw invalid("traffic_share", "traffic_share must be a number from 0 to 1, got \(share)")
            }
            if stage == .retired, share > 0 {
                throw invalid("traffic_share", "a retired version serves no traffic (traffic_share \(share))")
            }
        }
        if let end = endedAt, end < startedAt {
            throw invalid("ended_at", "ended_at (\(end)) is before started_at (\(startedAt))")
        }
        if let owner { try Self.checkName(owner, field: "owner") }
        if let codeRef { try Self.checkText(codeRef, field: "code_ref") }
        if let trainingRun { try Self.checkText(trainingRun, field: "training_run") }
        try Self.checkCount(trainingData.count, Limits.trainingData, field: "training_data")
        for (i, dataset) in trainingData.enumerated() { try Self.checkText(dataset, field: "training_data[\(i)]") }
        try Self.checkCount(offlineMetrics.count, Limits.offlineMetrics, field: "offline_metrics")
        for (name, value) in offlineMetrics.sorted(by: { $0.key < $1.key }) {
            try Self.checkName(name, field: "offline_metrics")
            guard value.isFinite else { throw invalid("offline_metrics.\(name)", "offline_metrics.\(name) is \(value)") }
        }
        try Self.checkCount(labels.count, Limits.labels, field: "labels")
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            try Self.checkName(key, field: "labels")
            try Self.checkText(value, field: "labels.\(key)")
        }
    }

    private func invalid(_ field: String, _ message: String) -> DeploymentError {
        DeploymentError(.invalidDeployment, field: field, message)
    }

    static func checkName(_ s: String, field: String) throws(DeploymentError) {
        guard !s.isEmpty else { throw DeploymentError(.invalidDeployment, field: field, "\(field) is empty") }
        try checkText(s, field: field, max: Limits.nameBytes)
    }

    static func checkText(_ s: String, field: String, max: Int = Limits.textBytes) throws(DeploymentError) {
        guard s.utf8.count <= max else {
            throw DeploymentError(
                .invalidDeployment, field: field, "\(field) is \(s.utf8.count) bytes; at most \(max) are accepted")
        }
        if let u = s.unicodeScalars.first(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            throw DeploymentError(
                .invalidDeployment, field: field, "\(field) contains the control character U+\(String(u.value, radix: 16))")
        }
    }

    static func checkCount(_ n: Int, _ max: Int, field: String) throws(DeploymentError) {
        guard n <= max else {
            throw DeploymentError(.limitExceeded, field: field, "\(field) has \(n) entries; at most \(max) are kept")
        }
    }

    /// A share as people write it: `10%`, `12.5%`.
    static func percent(_ share: Double) -> String {
        let p = (share * 1000).rounded() / 10
        return p == p.rounded() ? "\(Int(p))%" : "\(p)%"
    }
}
