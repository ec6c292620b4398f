import Foundation
import HTTPTypes
import Hummingbird
import VigilCore
import VigilStore

/// Deployments and the change timeline of each model (see `docs/changes.md`).
struct DeploymentRoutes: Sendable {
    let host: EngineHost
    let deployments: DeploymentRegistry
    let log: any Store
    let configuration: ServerConfiguration
    let clock: @Sendable () -> Timestamp

    /// A deployment body is a small document.
    static let maxBodyBytes = 256 * 1024

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/models/{model}/deployments") { request, context in
            try await list(model: try context.parameters.decoded("model"), request)
        }
        router.get("/v1/models/{model}/deployments/{version}") { _, context in
            try await get(
                model: try context.parameters.decoded("model"), version: try context.parameters.decoded("version"))
        }
        router.put("/v1/models/{model}/deployments/{version}") { request, context in
            try await put(
                model: try context.parameters.decoded("model"), version: try context.parameters.decoded("version"),
                request)
        }
        router.delete("/v1/models/{model}/deployments/{version}") { _, context in
            try await delete(
                model: try context.parameters.decoded("model"), version: try context.parameters.decoded("version"))
        }
        router.get("/v1/models/{model}/deployments/{version}/readiness") { request, context in
            try await readiness(
                model: try context.parameters.decoded("model"), version: try context.parameters.decoded("version"),
                request)
        }
        router.get("/v1/models/{model}/changes") { request, context in
            try await changes(model: try context.parameters.decoded("model"), request)
        }
    }

    struct DeploymentList: Encodable {
        var model: String
        var deployments: [Deployment]
    }

    struct DeploymentWritten: Encodable {
        var deployment: Deployment
        /// The timeline entries this call made (empty when nothing changed).
        var changes: [Change]
    }

    struct ChangeList: Encodable {
        var model: String
        var from: Timestamp?
        var to: Timestamp?
        var changes: [Change]
    }

    func list(model: String, _ request: Request) async throws(APIError) -> Response {
        let query = QueryParameters.dictionary(request)
        try QueryParameters.requireKnown(query, ["stage"])
        var all = try await deployments.all(model: model)
        if let stage = query["stage"] {
            guard let s = Deployment.Stage(rawValue: stage) else {
                throw .badRequest(
                    "invalid_stage", "stage: expected shadow, canary, primary or retired, got '\(stage.prefix(64))'")
            }
            all = all.filter { $0.stage == s }
        }
        if all.isEmpty, query["stage"] == nil { try await requireKnown(model) }
        return JSONResponse.make(DeploymentList(model: model, deployments: all))
    }

    func get(model: String, version: String) async throws(APIError) -> Response {
        guard let d = try await deployments.get(model: model, version: version) else {
            try await requireKnown(model)
            throw APIError(
                .notFound, "unknown_deployment", "model '\(model.prefix(64))' has no deployment '\(version.prefix(64))'"
            )
        }
        return JSONResponse.make(d)
    }

    func put(model: String, version: String, _ request: Request) async throws(APIError) -> Response {
        let query = QueryParameters.dictionary(request)
        try QueryParameters.requireKnown(query, ["replaces"])
        let body = try await RequestBody.collect(
            request, limit: Self.maxBodyBytes, timeout: configuration.bodyReadTimeout)
        let parsed = try DeploymentBody.decode(Data(body.readableBytesView))
        let now = clock()
        try await requireRoom(forModel: model)
        let written = try await deployments.put(
            model: model, version: version, body: parsed, replaces: query["replaces"], at: now)
        return JSONResponse.make(
            DeploymentWritten(deployment: written.deployment, changes: written.changes),
            status: written.created ? .created : .ok)
    }

    /// The version's offline metrics (from its deployment record) against its online metrics.
    func readiness(model: String, version: String, _ request: Request) async throws(APIError) -> Response {
        try host.requireReady()
        let query = QueryParameters.dictionary(request)
        try QueryParameters.requireKnown(query, ["from", "to", "window", "tolerance", "min_samples"])
        guard let d = try await deployments.get(model: model, version: version) else {
            try await requireKnown(model)
            throw APIError(
                .notFound, "unknown_deployment", "model '\(model.prefix(64))' has no deployment '\(version.prefix(64))'"
            )
        }
        guard !d.offlineMetrics.isEmpty else {
            throw .badRequest(
                "no_offline_metrics",
                "deployment '\(version.prefix(64))' has no offline_metrics: record them with PUT /v1/models/{model}/deployments/{version} {\"offline_metrics\": {\"accuracy\": 0.91}}"
            )
        }
        let window = try MetricQuery(query.filter { ["window", "from", "to"].contains($0.key) }, now: clock()).window
        let tolerance = try ComparisonRequest.number(query["tolerance"], "tolerance", default: 0.02)
        let minSamples = try ComparisonRequest.number(query["min_samples"], "min_samples", default: 100)
        guard minSamples >= 0, minSamples <= 1e12, minSamples == minSamples.rounded() else {
            throw .badRequest("invalid_comparison", "min_samples: expected a whole number ≥ 0")
        }
        let (report, note) = try host.query { engine throws(QueryError) in
            (
                try engine.readiness(
                    model: model, version: version, offline: d.offlineMetrics, window: window, tolerance: tolerance,
                    minSamples: Int64(minSamples)),
                EmptyRange.note(engine, model: model, window: window)
            )
        }
        return JSONResponse.make(Annotated(report, [("note", note)]))
    }

    func delete(model: String, version: String) async throws(APIError) -> Response {
        guard try await deployments.delete(model: model, version: version, at: clock()) else {
            throw APIError(
                .notFound, "unknown_deployment", "model '\(model.prefix(64))' has no deployment '\(version.prefix(64))'"
            )
        }
        return Response(status: .noContent)
    }

    func changes(model: String, _ request: Request) async throws(APIError) -> Response {
        let query = QueryParameters.dictionary(request)
        try QueryParameters.requireKnown(query, ["from", "to", "kind", "limit"])
        let from = try MetricQuery.time(query["from"], "from")
        let to = try MetricQuery.time(query["to"], "to")
        if let from, let to, to <= from {
            throw .badRequest("invalid_window", "to (\(to)) must be after from (\(from))")
        }
        var kinds: Set<Change.Kind>?
        if let text = query["kind"] {
            kinds = []
            let known = Change.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            guard !text.isEmpty else { throw .badRequest("invalid_kind", "kind: give one or more of \(known)") }
            for name in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let k = Change.Kind(rawValue: String(name)) else {
                    throw .badRequest(
                        "invalid_kind",
                        "kind: '\(name.prefix(64))' is not one of \(known)")
                }
                kinds?.insert(k)
            }
        }
        var limit = 1_000
        if let text = query["limit"] {
            guard let n = Int(text), (1...StoreLimits.changesPerModel).contains(n) else {
                throw .badRequest(
                    "invalid_limit", "limit: expected a whole number from 1 to \(StoreLimits.changesPerModel)")
            }
            limit = n
        }
        let found: [Change]
        do {
            found = try await log.changes(model: model, from: from, to: to, kinds: kinds, limit: limit)
        } catch {
            throw APIError(.internalServerError, "storage_failed", "could not read changes: \(error)")
        }
        if found.isEmpty { try await requireKnown(model) }
        return JSONResponse.make(ChangeList(model: model, from: from, to: to, changes: found))
    }

    /// A model is known if it has predictions, deployments or changes.
    private func requireKnown(_ model: String) async throws(APIError) {
        let inEngine = host.read { engine in engine.modelSummaries.contains { $0.name == model } }
        guard !inEngine else { return }
        let stored: Bool
        do {
            stored = try await log.hasTimeline(model: model)
        } catch {
            throw APIError(.internalServerError, "storage_failed", "could not read deployments: \(error)")
        }
        guard stored else { throw APIError(.notFound, "unknown_model", "unknown model '\(model.prefix(64))'") }
    }

    /// Deployments can name a model before its first prediction, within the models limit.
    private func requireRoom(forModel model: String) async throws(APIError) {
        let known = host.read { engine in engine.modelSummaries.contains { $0.name == model } }
        guard !known else { return }
        let limit = configuration.engine.limits.maxModels
        let count: Int
        do {
            if try await log.hasTimeline(model: model) { return }
            count = try await log.deploymentModelCount()
        } catch {
            throw APIError(.internalServerError, "storage_failed", "could not read deployments: \(error)")
        }
        guard count < limit else {
            throw APIError(
                .badRequest, "limit_exceeded",
                "model: \(count) models already have deployments; at most \(limit) (the models limit) are kept")
        }
    }
}
