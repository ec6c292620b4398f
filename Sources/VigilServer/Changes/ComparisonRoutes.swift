import Foundation
import HTTPTypes
import Hummingbird
import VigilCore

/// `GET /v1/models/{model}/compare`: is the candidate version at least as good as the baseline, over the same
/// period and segments (see `docs/changes.md#canary-comparison`)?
struct ComparisonRoutes: Sendable {
    let host: EngineHost
    let deployments: DeploymentRegistry
    let clock: @Sendable () -> Timestamp

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/models/{model}/compare") { request, context in
            try await compare(model: try context.parameters.decoded("model"), request)
        }
    }

    /// Before the labels: how the candidate's outputs and inputs are distributed against the baseline's over
    /// the same period, and the label-free estimate of each one's performance.
    struct LabelFree: Encodable {
        var rowsBaseline: Int64
        var rowsCandidate: Int64
        /// Columns whose distribution differs between the versions (default thresholds).
        var drifted: [String]
        var outputs: [ColumnDrift]
        var columns: [ColumnDrift]
        /// Binary models: CBPE per version.
        var estimatedPerformance: [String: EstimatedPerformance]?

        enum CodingKeys: String, CodingKey {
            case rowsBaseline = "rows_baseline", rowsCandidate = "rows_candidate", drifted, outputs, columns
            case estimatedPerformance = "estimated_performance"
        }
    }

    /// What the two verdicts of a comparison mean, carried in every answer.
    static let verdicts = [
        "verdict": "fixed-sample 95% interval: valid for one look at a sample size set in advance",
        "sequential": "always-valid 95% confidence sequence: valid however often you look",
    ]

    func compare(model: String, _ request: Request) async throws(APIError) -> Response {
        try host.requireReady()
        let query = QueryParameters.dictionary(request)
        try QueryParameters.requireKnown(query, ComparisonRequest.parameters)
        let recorded = try await deployments.all(model: model)
        let asked = try ComparisonRequest(query, model: model, now: clock(), deployments: recorded)
        let (comparison, labelFree, note) = try host.query { engine throws(QueryError) in
            (
                try asked.compare(engine, model: model),
                try Self.labelFree(engine, model, baseline: asked.baseline, candidate: asked.candidate, asked.window),
                EmptyRange.note(engine, model: model, window: asked.window)
            )
        }
        return JSONResponse.make(
            Annotated(comparison, [("label_free", labelFree), ("verdicts", Self.verdicts), ("note", note)]))
    }

    static func labelFree(_ engine: Engine, _ model: String, baseline: String, candidate: String, _ window: Window)
        throws(QueryError) -> LabelFree
    {
        let b = try engine.profile(model: model, window: window, version: baseline)
        let c = try engine.profile(model: model, window: window, version: candidate)
        let drift = DriftReport(reference: b.profile, current: c.profile)
        var estimated: [String: EstimatedPerformance]?
        if b.task == .binary {
            estimated = [
                baseline: try engine.estimatedPerformance(model: model, window: window, version: baseline),
                candidate: try engine.estimatedPerformance(model: model, window: window, version: candidate),
            ]
        }
        return LabelFree(
            rowsBaseline: drift.referenceRows, rowsCandidate: drift.currentRows, drifted: drift.drifted,
            outputs: drift.outputs, columns: drift.columns, estimatedPerformance: estimated)
    }
}
