import Foundation
import Hummingbird
import VigilCore
import VigilStore

/// Who owns a model and what it is for, kept beside its data (``PUT /v1/models/{model}``).
struct ModelAbout: Codable, Sendable {
    var owner: String?
    var description: String?
    var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey { case owner, description, updatedAt = "updated_at" }
}

/// Declaring a model before its first event (see `docs/server.md#models`):
///
/// - `PUT /v1/models/{model} {"task": "binary", "classes": [...], "owner": "...", "description": "..."}` fixes
///   its task (and a multiclass model's class order) so its first rows are read as meant — a model sending
///   only `prediction: 1` is otherwise taken for regression — and records who owns it (fields left out keep
///   their stored value);
/// - `GET /v1/models/{model}`: the model as the engine knows it, with its owner and description;
/// - `DELETE /v1/models/{model}`: the model and everything held for it, at once (the write token is the
///   confirmation; the dashboard asks for the model's name typed again).
struct ModelRoutes: Sendable {
    let host: EngineHost
    let pipeline: IngestPipeline
    let documents: ModelDocuments
    let clock: @Sendable () -> Timestamp

    func register(on router: Router<BasicRequestContext>) {
        router.put("/v1/models/{model}") { request, context in
            try await declare(try context.parameters.decoded("model"), request)
        }
        router.get("/v1/models/{model}") { _, context in try await get(try context.parameters.decoded("model")) }
        router.delete("/v1/models/{model}") { _, context in
            try await delete(try context.parameters.decoded("model"))
            return Response(status: .noContent)
        }
    }

    struct Answer: Encodable {
        var name: String
        var task: String?
        var classes: [String]?
        var versions: [String]
        var predictions: Int64
        var firstEvent: String?
        var lastEvent: String?
        var owner: String?
        var description: String?

        enum CodingKeys: String, CodingKey {
            case name, task, classes, versions, predictions, firstEvent = "first_event", lastEvent = "last_event"
            case owner, description
        }
    }

    func declare(_ model: String, _ request: Request) async throws(APIError) -> Response {
        try host.requireReady()
        let body = try await RequestBody.collect(request, limit: 256 * 1024, timeout: .seconds(30))
        let o = try JSONObjectBody.parse(
            Data(body.readableBytesView),
            #"body must be a JSON object such as {"task": "binary", "owner": "ml-platform"}"#)
        let (answer, created) = try await declare(model, ModelDeclaration(json: o))
        return JSONResponse.make(answer, status: created ? .created : .ok)
    }

    /// Fixes the model's task and classes (durably, in the log) and stores its owner and description; whether
    /// the model is new. The API and the dashboard's form both declare through here.
    func declare(_ model: String, _ d: ModelDeclaration) async throws(APIError) -> (Answer, created: Bool) {
        try host.requireReady()
        let existed = host.read { engine in engine.modelSummaries.contains { $0.name == model && $0.task != nil } }
        try await pipeline.declareModel(model, task: d.task, classes: d.classes)
        // Fields left out keep their stored value, as a deployment's do; an empty one clears it.
        let stored = try await documents.about(model)
        let about = ModelAbout(
            owner: Self.kept(d.owner, stored?.owner), description: Self.kept(d.description, stored?.description),
            updatedAt: clock())
        try await documents.setAbout(about, model: model)
        return (try await answer(model), !existed)
    }

    private static func kept(_ new: String?, _ stored: String?) -> String? {
        guard let new else { return stored }
        return new.isEmpty ? nil : new
    }

    /// Removes the model with its data (see `docs/server.md#models`); 404 if there is no such model.
    func delete(_ model: String) async throws(APIError) {
        try host.requireReady()
        try await pipeline.deleteModel(model)
        documents.forget(model: model)
    }

    func get(_ model: String) async throws(APIError) -> Response {
        try host.requireReady()
        return JSONResponse.make(try await answer(model))
    }

    private func answer(_ model: String) async throws(APIError) -> Answer {
        let summary = try host.query { engine throws(QueryError) in try engine.modelSummary(model) }
        let about = try await documents.about(model)
        return Answer(
            name: summary.name, task: summary.task?.rawValue, classes: summary.classes.isEmpty ? nil : summary.classes,
            versions: summary.versions.sorted(), predictions: summary.predictions,
            firstEvent: summary.firstEvent?.iso8601, lastEvent: summary.lastEvent?.iso8601, owner: about?.owner,
            description: about?.description)
    }
}
