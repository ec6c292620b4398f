import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VigilCore
import VigilStore

/// The v1 HTTP API (see `docs/api.md` and `openapi.yaml`).
struct APIRoutes: Sendable {
    let host: EngineHost
    let pipeline: IngestPipeline
    let log: any Store
    let asOf: AsOfReplays
    let configuration: ServerConfiguration
    let clock: @Sendable () -> Timestamp

    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in liveness() }
        router.get("/readyz") { _, _ in readiness() }
        router.get("/openapi.yaml") { _, _ in OpenAPIDocument.response() }
        router.post("/v1/predictions") { request, _ in try await ingestPredictions(request) }
        router.post("/v1/feedback") { request, _ in try await ingestFeedback(request) }
        router.get("/v1/models") { _, _ in try models() }
        router.get("/v1/models/{model}/metrics") { request, context in
            try await metrics(model: try context.parameters.decoded("model"), request)
        }
        router.put("/v1/models/{model}/metrics/{name}") { request, context in
            try await defineMetric(
                model: try context.parameters.decoded("model"), name: try context.parameters.decoded("name"), request)
        }
        router.get("/v1/models/{model}/metrics/{name}") { _, context in
            try await metricDefinition(
                model: try context.parameters.decoded("model"), name: try context.parameters.decoded("name"))
        }
        router.delete("/v1/models/{model}/metrics/{name}") { _, context in
            let (model, name) = (try context.parameters.decoded("model"), try context.parameters.decoded("name"))
            try await pipeline.deleteMetric(model: model, name: name, at: clock())
            return Response(status: .noContent)
        }
    }

    // MARK: - Health

    /// Liveness: `ok` while the process can do its job. A failed recovery is not live — only a restart brings it
    /// back, so a supervisor must see 503 here; a store that cannot be read after a failed commit is retried in
    /// place (`unavailable` in the readiness), so the process stays live.
    func liveness() -> Response {
        if case .failed(let reason) = host.phase {
            return JSONResponse.make(["status": "failed", "reason": reason], status: .serviceUnavailable)
        }
        return JSONResponse.make(["status": "ok"])
    }

    func readiness() -> Response {
        switch host.phase {
        case .ready: return JSONResponse.make(["status": "ready"])
        case .recovering(let replayed, let total):
            return JSONResponse.make(
                ["status": "recovering", "replayed": "\(replayed)", "total": "\(total)"], status: .serviceUnavailable)
        case .failed(let reason):
            return JSONResponse.make(["status": "failed", "reason": reason], status: .serviceUnavailable)
        case .degraded(let reason):
            return JSONResponse.make(["status": "degraded", "reason": reason], status: .serviceUnavailable)
        case .unavailable(let reason):
            return JSONResponse.make(["status": "unavailable", "reason": reason], status: .serviceUnavailable)
        }
    }

    // MARK: - Ingest

    func ingestPredictions(_ request: Request) async throws(APIError) -> Response {
        try host.requireReady()
        let body = try await RequestBody.collect(
            request, limit: configuration.maxBodyBytes, timeout: configuration.bodyReadTimeout)
        let batch = try decode(body) { (bytes) throws(MalformedBody) in try WireDecoder.predictions(bytes) }
        let encoded = EncodedBatch(predictions: batch.events)
        return respond(try await pipeline.ingest(batch, encoded: encoded, now: clock()), rows: batch.rowCount)
    }

    func ingestFeedback(_ request: Request) async throws(APIError) -> Response {
        try host.requireReady()
        let body = try await RequestBody.collect(
            request, limit: configuration.maxBodyBytes, timeout: configuration.bodyReadTimeout)
        let batch = try decode(body) { (bytes) throws(MalformedBody) in try WireDecoder.feedback(bytes) }
        let encoded = EncodedBatch(feedback: batch.events)
        return respond(try await pipeline.ingest(batch, encoded: encoded, now: clock()), rows: batch.rowCount)
    }

    private func decode<Event>(
        _ body: ByteBuffer, _ decoder: (UnsafeRawBufferPointer) throws(MalformedBody) -> DecodedBatch<Event>
    ) throws(APIError) -> DecodedBatch<Event> {
        let result = body.withUnsafeReadableBytes { bytes in Result { () throws(MalformedBody) in try decoder(bytes) } }
        switch result {
        case .success(let batch):
            guard batch.rowCount > 0 else {
                throw .badRequest("empty_batch", "the body holds no rows: send a JSON array or NDJSON lines")
            }
            return batch
        case .failure(let error): throw .badRequest("malformed_json", error.message)
        }
    }

    /// 200 when every row was accepted; 422 naming each rejected row otherwise (the accepted rows are kept).
    private func respond(_ summary: IngestSummary, rows: Int) -> Response {
        guard !summary.rejected.isEmpty else { return JSONResponse.make(summary) }
        var error = APIError(
            .unprocessableContent, "rejected_rows",
            "\(summary.rejected.count) of \(rows) rows rejected; the other \(summary.accepted) were accepted",
            details: summary.rejected)
        error.extra = summary
        return error.makeResponse()
    }

    // MARK: - Queries

    struct ModelInfo: Encodable {
        var name: String
        var task: String?
        var versions: [String]
        /// Versions seen only in shadow predictions (absent when none).
        var shadowVersions: [String]?
        var classes: [String]?
        var predictions: Int64
        var firstEvent: String?
        var lastEvent: String?
        var customMetrics: [String]
        var segments: [String: [String]]
    }

    struct ModelsResponse: Encodable {
        var models: [ModelInfo]
        var join: JoinStatistics
        var watermark: String?
    }

    func models() throws(APIError) -> Response {
        try host.requireReady()
        let response = host.read { engine in
            ModelsResponse(
                models: engine.modelSummaries.filter { $0.task != nil }.map {
                    ModelInfo(
                        name: $0.name, task: $0.task?.rawValue, versions: $0.versions.sorted(),
                        shadowVersions: $0.shadowVersions.isEmpty ? nil : $0.shadowVersions.sorted(),
                        classes: $0.classes.isEmpty ? nil : $0.classes, predictions: $0.predictions,
                        firstEvent: $0.firstEvent?.iso8601, lastEvent: $0.lastEvent?.iso8601,
                        customMetrics: $0.customMetrics, segments: $0.segments)
                }, join: engine.statistics, watermark: engine.watermark?.iso8601)
        }
        return JSONResponse.make(response)
    }

    func metrics(model: String, _ request: Request) async throws(APIError) -> Response {
        try host.requireReady()
        let query = try MetricQuery(
            QueryParameters.dictionary(request), now: clock())
        if let t = query.asOf {
            // As-of answers need the state at that time: replayed from the nearest checkpoint before it.
            let (response, report) = try await asOf.run("metrics") { (replayer, progress) throws in
                let (engine, report) = try await replayer.engine(asOf: t, progress: progress)
                return (try answer(engine, model: model, query), report)
            }
            return response.replayed(report)
        }
        return try host.read { (engine) throws(APIError) in try answer(engine, model: model, query) }
    }

    private func answer(_ engine: borrowing Engine, model: String, _ q: MetricQuery) throws(APIError) -> Response {
        do {
            var response: MetricResponse
            var columns: MetricColumns?
            if let step = q.step, case .range(let from, let to) = q.resolvedRange {
                let reports = try engine.metricSeries(
                    model: model, from: from, to: to, step: step, version: q.version, segment: q.segment, names: q.names
                )
                // An empty range has no report to name the task and metrics: ask for a zero-width window then.
                let first: MetricReport
                if let report = reports.first {
                    first = report
                } else {
                    first = try engine.metrics(
                        model: model, window: .range(from: from, to: from), version: q.version, segment: q.segment,
                        names: q.names)
                }
                if let fields = q.columns {
                    columns = MetricColumns(reports, names: first.names, from: from, to: to, step: step, fields: fields)
                    response = MetricResponse(model: model, task: first.task.rawValue, names: first.names)
                } else {
                    response = MetricResponse(
                        model: model, task: first.task.rawValue, names: first.names,
                        series: reports.map(MetricResponse.slice))
                }
            } else {
                let report = try engine.metrics(
                    model: model, window: q.window, version: q.version, segment: q.segment, names: q.names)
                response = MetricResponse(
                    model: model, task: report.task.rawValue, names: report.names, window: MetricResponse.slice(report))
            }
            response.version = q.version
            response.segment = q.segment?.description
            response.asOf = q.asOf?.iso8601
            if case .range(let from, let to) = q.resolvedRange {
                response.note = EmptyRange.note(engine, model: model, window: .range(from: from, to: to))
            }
            return JSONResponse.make(json: response.json(columns: columns))
        } catch {
            throw error.api
        }
    }

    // MARK: - Custom metrics

    struct DefinitionBody: Decodable {
        var expression: String
    }

    struct DefinitionResponse: Encodable {
        var model: String
        var name: String
        var expression: String
        var backfill: Bool
        var definedAt: String
    }

    func defineMetric(model: String, name: String, _ request: Request) async throws(APIError) -> Response {
        try host.requireReady()
        let body = try await RequestBody.collect(request, limit: 64 * 1024, timeout: configuration.bodyReadTimeout)
        let data = Data(body.readableBytesView)
        let expression: String
        do {
            expression = try JSONDecoder().decode(DefinitionBody.self, from: data).expression
        } catch {
            throw .badRequest("malformed_json", #"body must be {"expression": "sum(...) / sum(...)"}: \#(error)"#)
        }
        let fields = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?.keys.sorted() ?? []
        if let unknown = fields.first(where: { $0 != "expression" }) {
            throw .badRequest(
                "unknown_field", "unknown field '\(unknown.prefix(64))'; a definition is {\"expression\": …}")
        }
        let backfillText = request.uri.queryParameters.get("backfill") ?? "false"
        guard let backfill = Bool(backfillText) else {
            throw .badRequest("invalid_parameter", "backfill must be true or false, got '\(backfillText)'")
        }
        let d = try await pipeline.defineMetric(
            model: model, name: name, expression: expression, backfill: backfill, now: clock())
        return JSONResponse.make(
            DefinitionResponse(
                model: d.model, name: d.name, expression: d.expression, backfill: d.backfill,
                definedAt: d.definedAt.iso8601))
    }

    func metricDefinition(model: String, name: String) async throws(APIError) -> Response {
        try host.requireReady()
        let stored: [StoredMetricDefinition]
        do {
            stored = try await log.metricDefinitions(model: model)
        } catch {
            throw APIError(.internalServerError, "internal", "could not read definitions: \(error)")
        }
        guard let d = stored.first(where: { $0.name == name }) else {
            throw APIError(.notFound, "unknown_metric", "model '\(model)' has no custom metric '\(name)'")
        }
        return JSONResponse.make(
            DefinitionResponse(
                model: d.model, name: d.name, expression: d.expression, backfill: d.backfill,
                definedAt: d.definedAt.iso8601))
    }
}

extension MetricQuery {
    /// The window as an explicit range (for series).
    var resolvedRange: Window {
        switch window {
        case .last(let d, let now): return .range(from: now - d, to: now)
        default: return window
        }
    }
}
