import Foundation
import HTTPTypes
import Hummingbird
import VigilCore

/// `GET|POST /v1/models/{model}/canary`: one `pass`/`fail`/`inconclusive` answer for a progressive-delivery
/// controller (see `docs/changes.md#rollouts`).
///
/// - GET is for Argo Rollouts' `web` metric provider: always 200 with the verdict in the JSON, read with
///   `jsonPath: "{$.verdict}"`.
/// - POST is for Flagger's webhooks, which read only the status: 200 unless the candidate is shown worse
///   (`fail` → 412). Its JSON payload's `metadata` may carry the same parameters as the query.
struct CanaryRoutes: Sendable {
    let host: EngineHost
    let deployments: DeploymentRegistry
    let configuration: ServerConfiguration
    let clock: @Sendable () -> Timestamp

    static let parameters = ComparisonRequest.parameters.union(["decide"])
    /// Flagger's webhook payload: these fields, and the parameters in `metadata`.
    static let flaggerFields: Set<String> = ["name", "namespace", "phase", "checksum", "metadata"]
    static let maxBodyBytes = 64 * 1024

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/models/{model}/canary") { request, context in
            let query = QueryParameters.dictionary(request)
            let (answer, note) = try await verdict(model: try context.parameters.decoded("model"), query)
            return JSONResponse.make(Annotated(answer, [("note", note)]))
        }
        router.post("/v1/models/{model}/canary") { request, context in
            var query = try await flaggerMetadata(request)
            query.merge(QueryParameters.dictionary(request)) { _, asked in asked }
            let (answer, note) = try await verdict(model: try context.parameters.decoded("model"), query)
            return JSONResponse.make(
                Annotated(answer, [("note", note)]), status: answer.verdict == .fail ? .preconditionFailed : .ok)
        }
    }

    /// The verdict, and a note when the range holds none of the model's data (``EmptyRange``).
    func verdict(model: String, _ query: [String: String]) async throws(APIError) -> (CanaryVerdict, note: String?) {
        try host.requireReady()
        try QueryParameters.requireKnown(query, Self.parameters)
        let rule =
            try query["decide"].map { (text) throws(APIError) in
                guard let r = CanaryVerdict.Rule(rawValue: text) else {
                    throw .badRequest(
                        "invalid_comparison", "decide: expected sequential or fixed, got '\(text.prefix(64))'")
                }
                return r
            } ?? .sequential
        let recorded = try await deployments.all(model: model)
        let asked = try ComparisonRequest(query, model: model, now: clock(), deployments: recorded)
        return try host.query { engine throws(QueryError) in
            (
                CanaryVerdict(try asked.compare(engine, model: model), rule: rule),
                EmptyRange.note(engine, model: model, window: asked.window)
            )
        }
    }

    /// The string parameters in a Flagger payload's `metadata` (an empty body has none).
    func flaggerMetadata(_ request: Request) async throws(APIError) -> [String: String] {
        let body = try await RequestBody.collect(
            request, limit: Self.maxBodyBytes, timeout: configuration.bodyReadTimeout)
        guard body.readableBytes > 0 else { return [:] }
        let object = try JSONObjectBody.parse(
            Data(body.readableBytesView),
            #"body must be a Flagger webhook payload such as {"name": "fraud", "metadata": {"baseline": "v1"}}"#)
        try JSONObjectBody.requireKnown(object, Self.flaggerFields)
        guard let metadata = object["metadata"] else { return [:] }
        guard let pairs = metadata as? [String: Any] else {
            throw .badRequest("invalid_field", "metadata: expected an object of strings")
        }
        var parameters: [String: String] = [:]
        for (key, value) in pairs {
            guard let text = value as? String else {
                throw .badRequest("invalid_field", "metadata.\(key.prefix(64)): expected a string")
            }
            parameters[key] = text
        }
        return parameters
    }
}
