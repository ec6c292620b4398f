import Foundation
import HTTPTypes
import VigilCore
import VigilStore

/// `/trace/{prediction_id}`: the prediction, then what produced its version, upstream step by step — the
/// page form of `GET /v1/trace/{id}`.
struct TracePage {
    struct Step {
        var kind: String
        var title: String
        var detail: String
        var state: String?
        var stateClass: String
        var checks: [String]
    }

    var frame: PageFrame
    var id: String
    var steps: [Step]
    var suspects: [String]
    var hasSuspects: Bool
    var gaps: [String]

    init(_ sources: DashboardSources, id: String, deployments: DeploymentRegistry, _ query: [String: String])
        async throws(APIError)
    {
        try QueryParameters.requireKnown(query, ["range", "to", "step"])
        let now = sources.clock()
        let range = try DashboardRange(query, now: now, latest: now)
        frame = PageFrame(
            title: "Trace \(id)", model: nil, page: .pipeline, path: "/trace/\(DashboardLinks.escape(id))",
            range: range,
            latestEvent: nil, now: now)
        self.id = id
        try sources.host.requireReady()
        guard let prediction = sources.host.read({ $0.prediction(id) }) else {
            throw APIError(
                .notFound, "unknown_prediction",
                "no served prediction '\(id.prefix(64))' in the join: never sent, or older than the label horizon")
        }
        let lineage = try await VersionLineage(
            model: prediction.model, version: prediction.version, log: sources.log, deployments: deployments)
        steps = Self.steps(prediction, lineage)
        suspects = lineage.suspects
        hasSuspects = !suspects.isEmpty
        gaps = lineage.gaps
    }

    static func steps(_ p: Engine.PredictionRecord, _ l: VersionLineage) -> [Step] {
        var steps = [
            Step(
                kind: "prediction", title: p.id, detail: "\(p.model) \(p.version) at \(TimeLabel.full(p.time))",
                stateClass: "", checks: [])
        ]
        if let d = l.deployment {
            steps.append(
                Step(
                    kind: "deployment", title: "\(d.model) \(d.version)", detail: "stage \(d.stage.rawValue)",
                    state: d.stage.rawValue, stateClass: d.stage.rawValue, checks: []))
        }
        if let run = l.trainingRun {
            steps.append(step("training run", run, detail: "\(run.job)", l.trainingGateChecks))
        }
        for input in l.inputs {
            let facts = input.facts
            var detail = facts.version.map { "version \($0)" } ?? "version: the output of the run below"
            if let rows = facts.rowCount { detail += " · \(DashboardFormat.count(rows)) rows" }
            steps.append(
                Step(
                    kind: "dataset", title: "\(input.namespace)/\(input.name)", detail: detail, stateClass: "",
                    checks: facts.failedAssertions.map { "assertion \($0.assertion) failed" }))
            if let p = input.producedBy {
                steps.append(step("wrote it", p, detail: "\(p.job)", input.gateChecks))
            }
        }
        return steps
    }

    static func step(_ kind: String, _ run: PipelineRun, detail: String, _ checks: [GateCheck]) -> Step {
        Step(
            kind: kind, title: run.runId,
            detail:
                "\(detail) · \(TimeLabel.full(run.startedAt))\(run.endedAt.map { " – \(TimeLabel.full($0))" } ?? "")",
            state: run.state.rawValue, stateClass: PipelinePage.stateClass(run.state),
            checks: checks.map { c in
                "gate \(c.gate): \(c.verdict.rawValue)"
                    + (c.columns.isEmpty ? "" : " (" + c.columns.map(\.column).joined(separator: ", ") + ")")
            })
    }
}
