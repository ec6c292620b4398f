import VigilCore
import VigilStore

/// What produced a model version: its deployment, the run that trained it, that run's input datasets and,
/// for each, the run that wrote the version it read, with every gate check on the way. The trace of a
/// prediction and the blame of flagged outputs both follow it.
struct VersionLineage: Encodable {
    struct Input: Encodable {
        var namespace: String
        var name: String
        /// What the training run said of the dataset it read.
        var facts: DatasetFacts
        /// The newest run that wrote the dataset before the training run started.
        var producedBy: PipelineRun?
        var gateChecks: [GateCheck]

        enum CodingKeys: String, CodingKey {
            case namespace, name, facts, producedBy = "produced_by", gateChecks = "gate_checks"
        }
    }

    var deployment: Deployment?
    var trainingRun: PipelineRun?
    var trainingGateChecks: [GateCheck] = []
    var inputs: [Input] = []
    /// What could not be followed (no deployment record, no such run…).
    var gaps: [String] = []

    enum CodingKeys: String, CodingKey {
        case deployment, trainingRun = "training_run", trainingGateChecks = "training_gate_checks", inputs, gaps
    }

    /// Follows `model`'s `version` as far as the records go.
    init(model: String, version: String, log: any Store, deployments: DeploymentRegistry) async throws(APIError) {
        deployment = try await deployments.get(model: model, version: version)
        guard let deployment else {
            gaps.append("no deployment recorded for \(model) \(version)")
            return
        }
        guard let runRef = deployment.trainingRun, let run = try await Self.trainingRun(runRef, log) else {
            gaps.append(
                deployment.trainingRun.map {
                    "training run '\($0)' was not reported to Vigil (OpenLineage or /v1/runs)"
                }
                    ?? "the deployment names no training_run")
            return
        }
        trainingRun = run
        trainingGateChecks = try await PipelineStore.read {
            try await log.gateChecks(gate: nil, runId: run.runId, limit: 100)
        }
        for facts in run.inputs {
            let writers = try await PipelineStore.read {
                try await log.datasetRuns(namespace: facts.namespace, name: facts.name, role: "output")
            }
            let producer = writers.first { ($0.endedAt ?? $0.startedAt) <= run.startedAt && $0.runId != run.runId }
            var checks: [GateCheck] = []
            if let p = producer {
                checks = try await PipelineStore.read {
                    try await log.gateChecks(gate: nil, runId: p.runId, limit: 100)
                }
            }
            if producer == nil {
                gaps.append("no run reported writing \(facts.namespace)/\(facts.name) before the training run")
            }
            inputs.append(
                Input(
                    namespace: facts.namespace, name: facts.name, facts: facts, producedBy: producer, gateChecks: checks
                ))
        }
    }

    /// A training run named as `ID`, or with a scheme (`openlineage:ID`, `mlflow:ID`) when Vigil has it so.
    private static func trainingRun(_ ref: String, _ log: any Store) async throws(APIError) -> PipelineRun? {
        if let run = try await PipelineStore.read({ try await log.pipelineRun(ref) }) { return run }
        guard let colon = ref.firstIndex(of: ":") else { return nil }
        return try await PipelineStore.read { try await log.pipelineRun(String(ref[ref.index(after: colon)...])) }
    }

    /// Every failed gate check and failed assertion on the way, most upstream last.
    var suspects: [String] {
        var out: [String] = []
        if let run = trainingRun, run.state != .complete {
            out.append("training run \(run.runId) ended \(run.state.rawValue)")
        }
        for c in trainingGateChecks where c.verdict == .fail { out.append("gate \(c.gate) failed on the training run") }
        for input in inputs {
            let name = "\(input.namespace)/\(input.name)"
            for a in input.facts.failedAssertions {
                out.append("\(name): assertion \(a.assertion)\(a.column.map { " on \($0)" } ?? "") failed")
            }
            guard let p = input.producedBy else { continue }
            out += Self.producerEvidence(input, p).map { "\(name) was written by run \(p.runId) of \(p.job), \($0)" }
        }
        return out
    }

    /// What looks broken about the run that wrote an input: how it ended, its failed gates and assertions.
    static func producerEvidence(_ input: Input, _ p: PipelineRun) -> [String] {
        var out: [String] = []
        if p.state != .complete { out.append("which ended \(p.state.rawValue)") }
        for c in input.gateChecks where c.verdict == .fail { out.append("whose gate \(c.gate) failed") }
        let written = p.outputs.first { $0.namespace == input.namespace && $0.name == input.name }
        for a in written?.failedAssertions ?? [] {
            out.append("which reported assertion \(a.assertion)\(a.column.map { " on \($0)" } ?? "") failed")
        }
        return out
    }

    /// One link of the graph: `from` was made from (or served by) `to`.
    struct Edge: Encodable, Hashable {
        var from: String
        var to: String
        /// `served_by`, `trained_by`, `read`, `written_by`.
        var relation: String
    }

    /// The lineage as a graph: the version, its training run, the dataset versions it read and the runs that
    /// wrote them as nodes (each with its evidence), and the links between them.
    func graph(model: String, version: String) -> (nodes: [Blame.Node], edges: [Edge]) {
        let versionId = "version:\(model)@\(version)"
        var nodes = [Blame.Node(id: versionId, kind: .version, label: "\(model) \(version)", depth: 0)]
        var edges: [Edge] = []
        guard let run = trainingRun else { return (nodes, edges) }
        var runEvidence = trainingGateChecks.filter { $0.verdict == .fail }.map { "gate \($0.gate) failed" }
        if run.state != .complete { runEvidence.append("ended \(run.state.rawValue)") }
        let runId = "run:\(run.runId)"
        nodes.append(
            Blame.Node(
                id: runId, kind: .run, label: "run \(run.runId) of \(run.job) (trained \(version))", depth: 1,
                evidence: runEvidence))
        edges.append(Edge(from: versionId, to: runId, relation: "trained_by"))
        for input in inputs {
            let datasetVersion = input.facts.version ?? input.producedBy.map { "run \($0.runId)" } ?? "?"
            let name = "\(input.namespace)/\(input.name)"
            let datasetId = "dataset:\(name)@\(datasetVersion)"
            nodes.append(
                Blame.Node(
                    id: datasetId, kind: .dataset, label: "\(name) (\(datasetVersion))", depth: 2,
                    evidence: input.facts.failedAssertions.map { "assertion \($0.assertion) failed" }))
            edges.append(Edge(from: runId, to: datasetId, relation: "read"))
            if let p = input.producedBy {
                nodes.append(
                    Blame.Node(
                        id: "run:\(p.runId)", kind: .run, label: "run \(p.runId) of \(p.job) (wrote \(name))", depth: 3,
                        evidence: Self.producerEvidence(input, p)))
                edges.append(Edge(from: datasetId, to: "run:\(p.runId)", relation: "written_by"))
            }
        }
        return (nodes, edges)
    }
}
