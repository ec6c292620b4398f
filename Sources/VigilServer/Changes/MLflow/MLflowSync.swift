import Foundation
import VigilCore

/// Records an MLflow registered model's versions as Vigil deployments, so teams that already keep a model
/// registry type nothing twice: each version with an alias (or a legacy stage) becomes a deployment in the
/// stage it maps to, with its training run's metrics as offline metrics, the run, its git commit, its user
/// and its input datasets. A version that was synced before and has lost its alias is retired.
///
/// ```swift
/// let sync = MLflowSync(client: MLflowClient(trackingURI: "http://mlflow:5000"), options: .init())
/// let report = try await sync.run(mlflowModel: "fraud", into: sink)
/// report.changes   // ["2: canary → primary", "1: primary → retired", …]
/// ```
public struct MLflowSync: Sendable {
    public struct Options: Sendable {
        /// The Vigil version of an MLflow version: `{version}` is replaced by MLflow's number (`v{version}` → `v3`).
        public var versionTemplate = "{version}"
        /// Alias (lowercased) → stage. Legacy stages map too: Production → primary, Staging → canary,
        /// Archived → retired.
        public var stages: [String: Deployment.Stage] = [
            "champion": .primary, "production": .primary, "prod": .primary, "challenger": .canary,
            "canary": .canary, "staging": .canary, "shadow": .shadow,
        ]

        public init() {}

        func version(_ mlflow: String) -> String { versionTemplate.replacingOccurrences(of: "{version}", with: mlflow) }
    }

    /// One deployment to write: the MLflow version it stands for, its stage, and the version it replaces.
    struct Planned {
        var version: String
        var stage: Deployment.Stage
        var replaces: String?
        var source: MLflowRecords.ModelVersion
        var aliases: [String]
        var stored: Deployment?
    }

    public struct Report: Sendable, Encodable {
        public var model: String
        public var mlflowModel: String
        /// Vigil version → stage, for every version written.
        public var versions: [String: String]
        /// The timeline entries the sync made (empty when nothing changed).
        public var changes: [String]
    }

    let client: MLflowClient
    let options: Options

    init(client: MLflowClient, options: Options) {
        self.client = client
        self.options = options
    }

    public init(trackingURI: String, token: String? = nil, options: Options = Options()) {
        self.init(client: MLflowClient(trackingURI: trackingURI, token: token), options: options)
    }

    /// Reads the registry and writes the deployments of `model` (default: the MLflow model's name).
    public func run(mlflowModel: String, model: String? = nil, into sink: some DeploymentSink) async throws -> Report {
        let model = model ?? mlflowModel
        let registered = try await client.registeredModel(mlflowModel)
        let versions = try await client.versions(mlflowModel)
        let current = try await sink.deployments(model: model)
        let planned = plan(registered, versions, current: current, mlflowModel: mlflowModel)
        // Only the runs of versions that will be written are read.
        var runs: [String: MLflowRecords.Run] = [:]
        for id in planned.compactMap(\.source.runId) where !id.isEmpty && runs[id] == nil {
            runs[id] = try await client.run(id)
        }
        var report = Report(model: model, mlflowModel: mlflowModel, versions: [:], changes: [])
        for p in planned {
            let document = self.document(p.source, p.aliases, p.stage, runs[p.source.runId ?? ""], p.stored, mlflowModel)
            let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
            report.changes += try await sink.put(model: model, version: p.version, document: data, replaces: p.replaces)
                .map(\.summary)
            report.versions[p.version] = p.stage.rawValue
        }
        return report
    }

    /// The deployments to write, in an order the rules accept: retirements, then canaries and shadows, then
    /// the primary (replacing the current one, if another).
    func plan(
        _ registered: MLflowRecords.RegisteredModel, _ versions: [MLflowRecords.ModelVersion],
        current: [Deployment], mlflowModel: String
    ) -> [Planned] {
        let aliases = Dictionary(grouping: registered.aliases ?? [], by: \.version).mapValues { $0.map(\.alias) }
        let synced = Set(current.filter { $0.labels["mlflow.model"] == mlflowModel }.map(\.version))
        var planned: [Planned] = []
        // Oldest first (MLflow's search answers newest first), so the last primary below is the newest.
        for v in versions.sorted(by: { (Int($0.version) ?? 0, $0.version) < (Int($1.version) ?? 0, $1.version) }) {
            let version = options.version(v.version)
            let names = (aliases[v.version] ?? []).sorted()
            guard let stage = stage(names, legacy: v.currentStage) ?? (synced.contains(version) ? .retired : nil)
            else { continue }
            let stored = current.first { $0.version == version }
            if stage == .retired, stored == nil || stored?.stage == .retired { continue }
            planned.append(Planned(version: version, stage: stage, source: v, aliases: names, stored: stored))
        }
        // One primary: the newest version MLflow calls primary wins; the others become canaries.
        let primaries = planned.indices.filter { planned[$0].stage == .primary }
        for i in primaries.dropLast() { planned[i].stage = .canary }
        let currentPrimary = current.first { $0.stage == .primary }?.version
        if let last = primaries.last, let currentPrimary, currentPrimary != planned[last].version {
            planned[last].replaces = currentPrimary
            // The replaced primary is retired by the promotion itself.
            planned.removeAll { $0.version == currentPrimary && $0.stage == .retired }
        }
        let order: [Deployment.Stage: Int] = [.retired: 0, .shadow: 1, .canary: 1, .primary: 2]
        return planned.sorted { (order[$0.stage] ?? 1) < (order[$1.stage] ?? 1) }
    }

    /// The stage of a version from its aliases (the strongest), else from its legacy registry stage.
    func stage(_ aliases: [String], legacy: String?) -> Deployment.Stage? {
        let mapped = aliases.compactMap { options.stages[$0.lowercased()] }
        for s in [Deployment.Stage.primary, .canary, .shadow] where mapped.contains(s) { return s }
        switch legacy?.lowercased() {
        case "production": return .primary
        case "staging": return .canary
        case "archived": return .retired
        default: return nil
        }
    }

    /// A deployment document: stage and, from the run, what it was built from. `started_at` only for a new
    /// record (the version's registration time), so a later sync does not move it.
    func document(
        _ v: MLflowRecords.ModelVersion, _ aliases: [String], _ stage: Deployment.Stage, _ run: MLflowRecords.Run?,
        _ stored: Deployment?, _ mlflowModel: String
    ) -> [String: Any] {
        var d: [String: Any] = ["stage": stage.rawValue]
        if stored == nil, let t = v.creationTimestamp { d["started_at"] = Timestamp(milliseconds: t).iso8601 }
        let tags = Dictionary((run?.data?.tags ?? []).map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        let clip = { (s: String) in String(s.prefix(Deployment.Limits.textBytes / 4)) }
        if let owner = tags["mlflow.user"] ?? v.userId ?? run?.info.userId, !owner.isEmpty { d["owner"] = clip(owner) }
        if let commit = tags["mlflow.source.git.commit"], !commit.isEmpty { d["code_ref"] = clip(commit) }
        if let id = v.runId, !id.isEmpty { d["training_run"] = "mlflow:\(id)" }
        let datasets = (run?.inputs?.datasetInputs ?? []).compactMap { $0.dataset.source ?? $0.dataset.name }
        if !datasets.isEmpty { d["training_data"] = Array(datasets.prefix(Deployment.Limits.trainingData).map(clip)) }
        // The latest value of each metric (the highest step), finite ones only.
        var metrics: [String: (step: Int64, value: Double)] = [:]
        for m in run?.data?.metrics ?? [] {
            guard let value = m.value, value.isFinite else { continue }
            let step = m.step ?? 0
            if metrics[m.key].map({ step >= $0.step }) ?? true { metrics[m.key] = (step, value) }
        }
        if !metrics.isEmpty {
            d["offline_metrics"] = Dictionary(
                uniqueKeysWithValues: metrics.keys.sorted().prefix(Deployment.Limits.offlineMetrics).map {
                    ($0, metrics[$0]!.value)
                })
        }
        var labels = stored?.labels ?? [:]
        labels["mlflow.model"] = mlflowModel
        labels["mlflow.version"] = v.version
        labels["mlflow.aliases"] = aliases.joined(separator: ",")
        if let source = v.source, !source.isEmpty { labels["mlflow.source"] = clip(source) }
        d["labels"] = labels
        return d
    }
}

/// Where synced deployments are written: the server's registry, or a server over HTTP (`vigil mlflow sync`).
public protocol DeploymentSink: Sendable {
    func deployments(model: String) async throws -> [Deployment]
    /// Writes `document` (a deployment body) for `version`; returns the timeline entries made.
    func put(model: String, version: String, document: Data, replaces: String?) async throws -> [Change]
}
