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
/// - `GET /v1/models/{model}`: the model as the engine knows it, with its owner and description.
struct ModelRoutes: Sendable {
    let host: EngineHost
    let pipeline: IngestPipeline
    let documents: ModelDocuments
    let clock: @Sendable () -> Timestamp

    static let fields: Set<String> = ["task", "classes", "owner", "description"]

    func register(on router: Router<BasicRequestContext>) {
        router.put("/v1/models/{model}") { request, context in try await declare(try context.parameters.decoded("model"), request) }
        router.get("/v1/models/{model}") { _, context in try get(try context.parameters.decoded("model")) }
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
            Data(body.readableBytesView), #"body must be a JSON object such as {"task": "binary", "owner": "ml-platform"}"#)
        try JSONObjectBody.requireKnown(o, Self.fields)
        // Leave a field out to keep its value; null is not a value.
        if let null = o.keys.sorted().first(where: { o[$0] is NSNull }) {
            throw .badRequest("invalid_type", "\(null): null is not allowed; leave the field out to keep its value")
        }
        let taskText = try OpenLineageBody.name(o["task"], "task", max: 16)
        guard let task = ModelTask(rawValue: taskText) else {
            throw .badRequest("invalid_value", "task: '\(taskText.prefix(16))' is not one of binary, multiclass, regression")
        }
        let classes = try Self.classes(o["classes"], task: task)
        let existed = host.read { engine in engine.modelSummaries.contains { $0.name == model && $0.task != nil } }
        try await pipeline.declareModel(model, task: task, classes: classes)
        // Fields left out keep their stored value, as a deployment's do.
        let stored = try documents.about(model)
        let about = ModelAbout(
            owner: try OpenLineageBody.optionalString(o["owner"], "owner").map { String($0.prefix(256)) } ?? stored?.owner,
            description: try OpenLineageBody.optionalString(o["description"], "description").map { String($0.prefix(4096)) }
                ?? stored?.description,
            updatedAt: clock())
        try await documents.setAbout(about, model: model)
        return JSONResponse.make(try answer(model), status: existed ? .ok : .created)
    }

    /// A multiclass model's class names, in order; other tasks take none.
    static func classes(_ value: Any?, task: ModelTask) throws(APIError) -> [String] {
        guard let value, !(value is NSNull) else { return [] }
        guard task == .multiclass else { throw .badRequest("invalid_field", "classes: only a multiclass model has classes") }
        guard let list = value as? [Any], list.count <= 256 else {
            throw .badRequest("invalid_type", "classes: expected an array of at most 256 class names")
        }
        var names: [String] = []
        for (i, item) in list.enumerated() {
            let name = try OpenLineageBody.name(item, "classes[\(i)]", max: 256)
            guard !names.contains(name) else { throw .badRequest("invalid_value", "classes[\(i)]: '\(name.prefix(64))' is listed twice") }
            names.append(name)
        }
        return names
    }

    func get(_ model: String) throws(APIError) -> Response {
        try host.requireReady()
        return JSONResponse.make(try answer(model))
    }

    private func answer(_ model: String) throws(APIError) -> Answer {
        let summary = try host.query { engine throws(QueryError) in try engine.modelSummary(model) }
        let about = try documents.about(model)
        return Answer(
            name: summary.name, task: summary.task?.rawValue, classes: summary.classes.isEmpty ? nil : summary.classes,
            versions: summary.versions.sorted(), predictions: summary.predictions,
            firstEvent: summary.firstEvent?.iso8601, lastEvent: summary.lastEvent?.iso8601, owner: about?.owner,
            description: about?.description)
    }
}
