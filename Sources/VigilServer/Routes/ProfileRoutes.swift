import Foundation
import HTTPTypes
import Hummingbird
import VigilCore
import VigilStore

/// Data quality, drift and label-free performance: references, validation rules and the queries over
/// column profiles (see `docs/drift.md`).
struct ProfileRoutes: Sendable {
    let host: EngineHost
    let documents: ModelDocuments
    let pipeline: IngestPipeline
    let configuration: ServerConfiguration
    let clock: @Sendable () -> Timestamp

    func register(on router: Router<BasicRequestContext>) {
        router.put("/v1/models/{model}/reference") { request, context in
            try await putReference(model: try context.parameters.decoded("model"), request)
        }
        router.get("/v1/models/{model}/reference") { _, context in
            try await getReference(model: try context.parameters.decoded("model"))
        }
        router.delete("/v1/models/{model}/reference") { _, context in
            try await delete(.reference, model: try context.parameters.decoded("model"))
        }
        router.get("/v1/models/{model}/rules") { _, context in
            try await getRules(model: try context.parameters.decoded("model"))
        }
        router.put("/v1/models/{model}/rules") { request, context in
            try await putRules(model: try context.parameters.decoded("model"), request)
        }
        router.delete("/v1/models/{model}/rules") { _, context in
            try await delete(.rules, model: try context.parameters.decoded("model"))
        }
        router.get("/v1/models/{model}/drift") { request, context in
            try await drift(model: try context.parameters.decoded("model"), request)
        }
        router.get("/v1/models/{model}/quality") { request, context in
            try await quality(model: try context.parameters.decoded("model"), request)
        }
        router.get("/v1/models/{model}/estimated-performance") { request, context in
            try estimatedPerformance(model: try context.parameters.decoded("model"), request)
        }
    }

    // MARK: - Reference

    func putReference(model: String, _ request: Request) async throws(APIError) -> Response {
        try host.requireReady()
        let query = try ProfileQuery(QueryParameters.dictionary(request), now: clock())
        let body = try await RequestBody.collect(
            request, limit: configuration.maxBodyBytes, timeout: configuration.bodyReadTimeout)
        let reference: StoredReference
        if query.isWindowGiven {
            guard body.readableBytes == 0 else {
                throw .badRequest(
                    "ambiguous_reference", "give rows in the body or a window (from/to/window), not both")
            }
            reference = try fromWindow(model: model, query)
        } else {
            guard body.readableBytes > 0 else {
                throw .badRequest(
                    "empty_reference",
                    "send reference rows (CSV with a header, NDJSON or a JSON array) or a window: ?from=…&to=…")
            }
            let task = host.read { engine in engine.modelSummaries.first { $0.name == model }?.task }
            do throws(ReferenceError) {
                let table = try ReferenceTable(bytes: Array(body.readableBytesView), task: task)
                reference = StoredReference(
                    source: .upload(format: table.format), createdAt: clock(), profile: table.profile)
            } catch {
                throw .badRequest("invalid_reference", "reference: \(error.description)")
            }
        }
        try await documents.setReference(reference, model: model)
        // Slices bin numeric columns by the first reference's quintiles (a later one keeps the bins).
        try await pipeline.setSliceEdges(model, reference.profile.sliceEdges)
        return JSONResponse.make(ReferenceSummary(model: model, reference), status: .created)
    }

    private func fromWindow(model: String, _ query: ProfileQuery) throws(APIError) -> StoredReference {
        let window = try host.query { engine throws(QueryError) in
            try engine.profile(model: model, window: query.window, version: query.version)
        }
        guard window.profile.rows > 0, let from = window.from, let to = window.to else {
            throw .badRequest("empty_reference", "model '\(model)' has no predictions in that window")
        }
        return StoredReference(
            source: .window(from: from, to: to, version: query.version), createdAt: clock(), profile: window.profile)
    }

    func getReference(model: String) async throws(APIError) -> Response {
        guard let r = try await documents.reference(model) else { throw Self.noReference(model) }
        return JSONResponse.make(ReferenceSummary(model: model, r))
    }

    func delete(_ kind: DocumentKind, model: String) async throws(APIError) -> Response {
        guard try await documents.delete(kind, model: model, at: clock()) else {
            throw APIError(.notFound, "not_found", "model '\(model)' has no stored \(kind.rawValue)")
        }
        return Response(status: .noContent)
    }

    static func noReference(_ model: String) -> APIError {
        APIError(
            .notFound, "no_reference",
            "model '\(model)' has no reference: PUT /v1/models/\(model)/reference with rows (CSV or NDJSON) or ?from=…&to=… of served predictions"
        )
    }

    // MARK: - Rules

    func getRules(model: String) async throws(APIError) -> Response {
        guard let (rules, source) = try await documents.effectiveRules(model) else {
            throw APIError(
                .notFound, "no_rules",
                "model '\(model)' has neither rules nor a reference to suggest them from: PUT /v1/models/\(model)/reference or /rules"
            )
        }
        return JSONResponse.make(RulesResponse(model: model, source: source, rules: rules))
    }

    func putRules(model: String, _ request: Request) async throws(APIError) -> Response {
        let body = try await RequestBody.collect(
            request, limit: 8 * 1024 * 1024, timeout: configuration.bodyReadTimeout)
        let rules = try RuleSetBody.decode(Data(body.readableBytesView))
        try await documents.setRules(rules, model: model, at: clock())
        return JSONResponse.make(RulesResponse(model: model, source: "user", rules: rules))
    }

    // MARK: - Queries

    private func currentProfile(model: String, _ q: ProfileQuery) throws(APIError) -> WindowProfile {
        try host.requireReady()
        return try host.query { engine throws(QueryError) in
            try engine.profile(model: model, window: q.window, version: q.version)
        }
    }

    func drift(model: String, _ request: Request) async throws(APIError) -> Response {
        let q = try ProfileQuery(QueryParameters.dictionary(request), now: clock(), allowConvention: true)
        let current = try currentProfile(model: model, q)
        guard let reference = try await documents.reference(model) else { throw Self.noReference(model) }
        var (ruleSet, source) = try await documents.effectiveRules(model) ?? (RuleSet(), "suggested")
        // Suggested rules carry Vigil's PSI threshold; under Evidently's convention a column without a stored
        // rule takes Evidently's automatic test instead, as an Evidently report would.
        if source == "suggested" && q.convention == .evidently { ruleSet = ruleSet.withoutDriftThresholds() }
        let report = DriftReport(
            reference: reference.profile, current: current.profile, rules: ruleSet, convention: q.convention)
        return JSONResponse.make(
            Annotated(
                DriftResponse(
                    model: model, from: current.from, to: current.to, version: q.version,
                    reference: ReferenceSummary(model: model, reference).source, rules: source,
                    convention: report.convention, referenceRows: report.referenceRows, currentRows: report.currentRows,
                    drifted: report.drifted,
                    columns: report.columns, outputs: report.outputs,
                    untrackedColumns: current.untrackedColumns.isEmpty ? nil : current.untrackedColumns),
                [("note", try emptyRangeNote(model, q))]))
    }

    func quality(model: String, _ request: Request) async throws(APIError) -> Response {
        let q = try ProfileQuery(QueryParameters.dictionary(request), now: clock())
        let current = try currentProfile(model: model, q)
        let found = try await documents.effectiveRules(model)
        let report = QualityReport(profile: current.profile, rules: found?.0)
        return JSONResponse.make(
            Annotated(
                QualityResponse(
                    model: model, from: current.from, to: current.to, version: q.version, rules: found?.1 ?? "none",
                    rows: report.rows, violations: report.violations, columns: report.columns, outputs: report.outputs),
                [("note", try emptyRangeNote(model, q))]))
    }

    func estimatedPerformance(model: String, _ request: Request) throws(APIError) -> Response {
        try host.requireReady()
        let q = try ProfileQuery(QueryParameters.dictionary(request), now: clock(), allowSegment: true)
        let result = try host.query { engine throws(QueryError) in
            try engine.estimatedPerformance(model: model, window: q.window, version: q.version, segment: q.segment)
        }
        return JSONResponse.make(Annotated(result, [("note", try emptyRangeNote(model, q))]))
    }

    /// Why the query's window holds none of the model's data, and where its data is.
    private func emptyRangeNote(_ model: String, _ q: ProfileQuery) throws(APIError) -> String? {
        let summary = try host.query { engine throws(QueryError) in try engine.modelSummary(model) }
        return EmptyRange.note(summary, window: q.window)
    }
}
