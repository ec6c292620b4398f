import Foundation
import Hummingbird
import VigilCore
import VigilStore

/// Outputs marked as bad, for `GET /v1/blame` (see `docs/lineage.md#blame`):
///
/// - `POST /v1/flags {"model", "prediction_ids": [...]}` or `{"model", "from", "to"[, "version", "segment"]}`,
///   with an optional `reason`; listed ids must still be in the join (the version that served each is
///   recorded with it); unknown ids are answered, not stored;
/// - `GET /v1/flags?model=M`, `DELETE /v1/flags/{id}`.
struct FlagRoutes: Sendable {
    let host: EngineHost
    let log: any Store
    let clock: @Sendable () -> Timestamp

    /// Prediction ids one flag may list.
    static let maxIds = 10_000
    static let fields: Set<String> = ["model", "prediction_ids", "from", "to", "version", "segment", "reason"]

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/flags") { request, _ in try await flag(request) }
        router.get("/v1/flags") { request, _ in try await list(request) }
        router.delete("/v1/flags/{id}") { _, context in try await delete(try context.parameters.decoded("id")) }
    }

    struct Flagged: Encodable {
        var flag: OutputFlag
        /// Listed ids not in the join (never sent, another model's, or older than the label horizon).
        var unknown: [String]
        var unknownCount: Int

        enum CodingKeys: String, CodingKey { case flag, unknown, unknownCount = "unknown_count" }
    }

    func flag(_ request: Request) async throws(APIError) -> Response {
        try host.requireReady()
        let body = try await RequestBody.collect(request, limit: 2 * 1024 * 1024, timeout: .seconds(30))
        let o = try JSONObjectBody.parse(
            Data(body.readableBytesView),
            #"body must be a JSON object such as {"model": "m", "prediction_ids": ["p-1"]}"#)
        try JSONObjectBody.requireKnown(o, Self.fields)
        let model = try OpenLineageBody.name(o["model"], "model")
        _ = try host.query { engine throws(QueryError) in try engine.modelSummary(model) }
        var flag = OutputFlag(model: model, flaggedAt: clock())
        flag.reason = try OpenLineageBody.optionalString(o["reason"], "reason").map { String($0.prefix(1024)) }
        var unknown: [String] = []
        switch (o["prediction_ids"], o["from"] ?? o["to"]) {
        case (let ids?, nil):
            for key in ["version", "segment"] where o[key] != nil {
                throw .badRequest("invalid_field", "\(key): narrows a range flag (from, to), not listed prediction_ids")
            }
            (flag.predictions, unknown) = try predictions(ids, model)
        case (nil, _?):
            flag.from = try OpenLineageBody.time(o["from"], "from")
            flag.to = try OpenLineageBody.time(o["to"], "to")
            guard let f = flag.from, let t = flag.to, f < t else {
                throw .badRequest("invalid_value", "to: must be after from")
            }
            flag.version = try OpenLineageBody.optionalString(o["version"], "version")
            flag.segment = try o["segment"].map { (v) throws(APIError) in
                let text = try OpenLineageBody.name(v, "segment")
                guard let s = Segment(text) else {
                    throw .badRequest("invalid_value", "segment: expected KEY:VALUE, got '\(text.prefix(64))'")
                }
                return s
            }
        case (_?, _?):
            throw .badRequest("invalid_field", "give prediction_ids or a range (from, to), not both")
        case (nil, nil):
            throw .badRequest("missing_field", "prediction_ids: missing; or give a range with from and to")
        }
        let stored = try await PipelineStore.write { try await log.saveFlag(flag) }
        return JSONResponse.make(
            Flagged(flag: stored, unknown: Array(unknown.prefix(100)), unknownCount: unknown.count), status: .created)
    }

    /// The listed ids the join holds for `model`, with their version and time; and the ones it does not.
    private func predictions(_ value: Any, _ model: String) throws(APIError) -> ([OutputFlag.Prediction], [String]) {
        guard let ids = value as? [Any], !ids.isEmpty, ids.count <= Self.maxIds else {
            throw .badRequest("invalid_type", "prediction_ids: expected an array of 1 to \(Self.maxIds) ids")
        }
        var texts: [String] = []
        for (i, id) in ids.enumerated() {
            texts.append(try OpenLineageBody.name(id, "prediction_ids[\(i)]", max: 256))
        }
        var seen: Set<String> = []
        let unique = texts.filter { seen.insert($0).inserted }
        let found = host.read { engine in unique.map { engine.prediction($0) } }
        var known: [OutputFlag.Prediction] = []
        var unknown: [String] = []
        for (id, record) in zip(unique, found) {
            if let r = record, r.model == model {
                known.append(OutputFlag.Prediction(id: id, version: r.version, time: r.time))
            } else {
                unknown.append(id)
            }
        }
        guard !known.isEmpty else {
            throw APIError(
                .notFound, "unknown_prediction",
                "none of the \(unique.count) prediction ids is a served prediction of '\(model.prefix(64))' in the join (never sent, or older than the label horizon)"
            )
        }
        return (known, unknown)
    }

    struct FlagList: Encodable { var flags: [OutputFlag] }

    func list(_ request: Request) async throws(APIError) -> Response {
        let query = QueryParameters.dictionary(request)
        try QueryParameters.requireKnown(query, ["model"])
        guard let model = query["model"] else { throw .badRequest("missing_parameter", "model: missing") }
        return JSONResponse.make(FlagList(flags: try await PipelineStore.read { try await log.flags(model: model) }))
    }

    func delete(_ text: String) async throws(APIError) -> Response {
        guard let id = Int64(text) else { throw .badRequest("invalid_value", "flag id: expected a whole number") }
        guard try await PipelineStore.write({ try await log.deleteFlag(id) }) else {
            throw APIError(.notFound, "unknown_flag", "no flag \(id)")
        }
        return Response(status: .noContent)
    }
}
