import Foundation
import Hummingbird
import VigilCore
import VigilStore

/// `GET /v1/trace/{prediction_id}`: from a prediction back to what produced it — its model and version, the
/// version's deployment, the run that trained it, that run's input datasets and, for each, the run that
/// wrote the version it read, with every gate check on the way (see `docs/lineage.md#trace`).
struct TraceRoutes: Sendable {
    let host: EngineHost
    let log: EventLog
    let deployments: DeploymentRegistry

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/trace/{id}") { _, context in try trace(try context.parameters.decoded("id")) }
    }

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

    struct Trace: Encodable {
        var prediction: Engine.PredictionRecord
        var deployment: Deployment?
        var trainingRun: PipelineRun?
        var trainingGateChecks: [GateCheck]
        var inputs: [Input]
        /// Every failed gate check and failed assertion on the way, most upstream last.
        var suspects: [String]
        /// What could not be followed (no deployment record, no such run…).
        var gaps: [String]

        enum CodingKeys: String, CodingKey {
            case prediction, deployment, trainingRun = "training_run", trainingGateChecks = "training_gate_checks"
            case inputs, suspects, gaps
        }
    }

    func trace(_ id: String) throws(APIError) -> Response {
        try host.requireReady()
        guard let prediction = host.read({ $0.prediction(id) }) else {
            throw APIError(
                .notFound, "unknown_prediction",
                "no served prediction '\(id.prefix(64))' in the join: never sent, or older than the label horizon")
        }
        var trace = Trace(
            prediction: prediction, trainingGateChecks: [], inputs: [], suspects: [], gaps: [])
        trace.deployment = try deployments.get(model: prediction.model, version: prediction.version)
        guard let deployment = trace.deployment else {
            trace.gaps.append("no deployment recorded for \(prediction.model) \(prediction.version)")
            return JSONResponse.make(trace)
        }
        guard let runRef = deployment.trainingRun, let run = try trainingRun(runRef) else {
            trace.gaps.append(
                deployment.trainingRun.map { "training run '\($0)' was not reported to Vigil (OpenLineage or /v1/runs)" }
                    ?? "the deployment names no training_run")
            return JSONResponse.make(trace)
        }
        trace.trainingRun = run
        trace.trainingGateChecks = try PipelineStore.read { try log.gateChecks(runId: run.runId, limit: 100) }
        for facts in run.inputs {
            let writers = try PipelineStore.read { try log.datasetRuns(namespace: facts.namespace, name: facts.name, role: "output") }
            let producer = writers.first { ($0.endedAt ?? $0.startedAt) <= run.startedAt && $0.runId != run.runId }
            let checks = try producer.map { p throws(APIError) in try PipelineStore.read { try log.gateChecks(runId: p.runId, limit: 100) } } ?? []
            if producer == nil { trace.gaps.append("no run reported writing \(facts.namespace)/\(facts.name) before the training run") }
            trace.inputs.append(
                Input(namespace: facts.namespace, name: facts.name, facts: facts, producedBy: producer, gateChecks: checks))
        }
        trace.suspects = Self.suspects(trace)
        return JSONResponse.make(trace)
    }

    /// A training run named as `ID`, or with a scheme (`openlineage:ID`, `mlflow:ID`) when Vigil has it so.
    private func trainingRun(_ ref: String) throws(APIError) -> PipelineRun? {
        if let run = try PipelineStore.read({ try log.pipelineRun(ref) }) { return run }
        guard let colon = ref.firstIndex(of: ":") else { return nil }
        return try PipelineStore.read { try log.pipelineRun(String(ref[ref.index(after: colon)...])) }
    }

    static func suspects(_ t: Trace) -> [String] {
        var out: [String] = []
        if let run = t.trainingRun, run.state != .complete { out.append("training run \(run.runId) ended \(run.state.rawValue)") }
        for c in t.trainingGateChecks where c.verdict == .fail { out.append("gate \(c.gate) failed on the training run") }
        for input in t.inputs {
            let name = "\(input.namespace)/\(input.name)"
            for a in input.facts.failedAssertions {
                out.append("\(name): assertion \(a.assertion)\(a.column.map { " on \($0)" } ?? "") failed")
            }
            guard let p = input.producedBy else { continue }
            if p.state != .complete { out.append("\(name) was written by run \(p.runId) of \(p.job), which ended \(p.state.rawValue)") }
            for c in input.gateChecks where c.verdict == .fail {
                out.append("\(name) was written by run \(p.runId) of \(p.job), whose gate \(c.gate) failed")
            }
            for a in p.outputs.first(where: { $0.namespace == input.namespace && $0.name == input.name })?.failedAssertions ?? [] {
                out.append("\(name): run \(p.runId) reported assertion \(a.assertion)\(a.column.map { " on \($0)" } ?? "") failed")
            }
        }
        return out
    }
}
