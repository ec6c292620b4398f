import Hummingbird
import VigilCore

/// `GET /v1/models/{model}/shadow`: a shadow version against the served one on the same inputs (see
/// `docs/changes.md#shadow-predictions`).
struct ShadowRoutes: Sendable {
    let host: EngineHost
    let deployments: DeploymentRegistry
    let clock: @Sendable () -> Timestamp

    static let parameters: Set<String> = ["shadow", "primary", "from", "to", "window", "margin"]

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/models/{model}/shadow") { request, context in
            try await shadow(model: try context.parameters.decoded("model"), request)
        }
    }

    func shadow(model: String, _ request: Request) async throws(APIError) -> Response {
        try host.requireReady()
        let query = QueryParameters.dictionary(request)
        try QueryParameters.requireKnown(query, Self.parameters)
        let recorded = try await deployments.all(model: model)
        guard
            let shadow = query["shadow"].flatMap({ $0.isEmpty ? nil : $0 }) ?? ComparisonRequest.only(recorded, .shadow)
        else {
            throw .badRequest(
                "missing_parameter",
                "shadow: give the shadow version, e.g. shadow=v3, or record exactly one shadow deployment")
        }
        let window = try MetricQuery(query.filter { ["window", "from", "to"].contains($0.key) }, now: clock()).window
        let margin = try ComparisonRequest.number(query["margin"], "margin", default: 0.01)
        let primary = query["primary"].flatMap { $0.isEmpty ? nil : $0 }
        let (answer, note) = try host.query { engine throws(QueryError) in
            (
                try engine.shadowComparison(
                    model: model, shadow: shadow, primary: primary, window: window, margin: margin),
                EmptyRange.note(engine, model: model, window: window)
            )
        }
        return JSONResponse.make(Annotated(answer, [("note", note)]))
    }
}
