import Hummingbird
import VigilCore

/// Worst-slice discovery: where a model's metric is worst, among slices nobody declared (see `docs/slices.md`).
struct SliceRoutes: Sendable {
    let host: EngineHost
    let clock: @Sendable () -> Timestamp

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/models/{model}/slices") { request, context in
            try slices(model: try context.parameters.decoded("model"), request)
        }
        router.get("/v1/models/{model}/slices/suggestions") { request, context in
            try suggestions(model: try context.parameters.decoded("model"), request)
        }
    }

    /// Large slices whose metric moves from day to day beyond chance: candidates for their own SLO.
    func suggestions(model: String, _ request: Request) throws(APIError) -> Response {
        try host.requireReady()
        let q = try SliceQuery(QueryParameters.dictionary(request), now: clock(), suggestions: true)
        let report = try host.query { engine throws(QueryError) in
            let (from, to) = q.window(engine)
            return try engine.sliceSuggestions(
                model: model, metric: q.metric, from: from, to: to, minShare: q.minShare, minSize: q.minSize,
                fdr: q.fdr, limit: q.limit)
        }
        return JSONResponse.make(report)
    }

    func slices(model: String, _ request: Request) throws(APIError) -> Response {
        try host.requireReady()
        let q = try SliceQuery(QueryParameters.dictionary(request), now: clock())
        let report = try host.query { engine throws(QueryError) in
            let (from, to) = q.window(engine)
            return try engine.slices(
                model: model, metric: q.metric, from: from, to: to, baseline: q.baseline, minSize: q.minSize,
                fdr: q.fdr, limit: q.limit)
        }
        return JSONResponse.make(report)
    }
}
