import Foundation
import HTTPTypes
import Hummingbird
import VigilCore
import VigilStore

/// SLO definitions, their status now or at a past time, backtests, and alerts (see `docs/slos.md`).
struct SLORoutes: Sendable {
    let slos: LiveSLOs
    let log: any Store
    let asOf: AsOfReplays
    let configuration: ServerConfiguration
    let clock: @Sendable () -> Timestamp

    var registry: SLORegistry { slos.registry }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/slos") { request, _ in try await list(request) }
        router.put("/v1/slos/{name}") { request, context in
            try await put(name: try context.parameters.decoded("name"), request)
        }
        router.get("/v1/slos/{name}") { request, context in
            try await get(name: try context.parameters.decoded("name"), request)
        }
        router.delete("/v1/slos/{name}") { _, context in
            try await delete(name: try context.parameters.decoded("name"))
        }
        router.get("/v1/slos/{name}/backtest") { request, context in
            try await backtest(name: try context.parameters.decoded("name"), request)
        }
        router.post("/v1/models/{model}/slices/monitor") { request, context in
            try await monitor(model: try context.parameters.decoded("model"), request)
        }
        router.get("/v1/alerts") { request, _ in try await alerts(request) }
        router.get("/v1/alerts/{id}/explanation") { _, context in
            try await explanation(id: try context.parameters.decoded("id"))
        }
    }

    private func parameters(_ request: Request, allowed: Set<String>) throws(APIError) -> [String: String] {
        let query = QueryParameters.dictionary(request)
        try QueryParameters.requireKnown(query, allowed)
        return query
    }

    private func definition(_ name: String) throws(APIError) -> SLODefinition {
        guard let slo = registry.get(name) else {
            let known = registry.all.map(\.name)
            throw APIError(
                .notFound, "unknown_slo",
                "unknown SLO '\(name)'; known: \(known.isEmpty ? "none (PUT /v1/slos/{name} to define one)" : known.joined(separator: ", "))"
            )
        }
        return slo
    }

    private func liveAlerts(_ slo: String) async throws(APIError) -> [Alert] {
        try await log.storedAlerts(states: [.pending, .firing], slo: slo)
    }

    // MARK: - Definitions

    func put(name: String, _ request: Request) async throws(APIError) -> Response {
        let body = try await RequestBody.collect(request, limit: 1024 * 1024, timeout: configuration.bodyReadTimeout)
        let slo = try SLOBody.decode(Data(body.readableBytesView), name: name)
        try checkMetric(slo)
        let created = try await registry.put(slo, at: clock())
        return JSONResponse.make(SLOResponse(slo), status: created ? .created : .ok)
    }

    /// A metric SLI of a model the server knows must name one of its metrics, and a comparison SLI one with a
    /// test for its task (a model not seen yet may be defined ahead of its traffic); a slice, one of its slices.
    func checkMetric(_ slo: SLODefinition) throws(APIError) {
        if let slice = slo.slice, slos.host.read({ $0.hasSlice(slice, model: slo.model) }) == false {
            throw APIError(
                .badRequest, "unknown_slice",
                "slice: model '\(slo.model.prefix(64))' has no slice '\(slice.prefix(128))'; GET /v1/models/\(slo.model.prefix(64))/slices lists them by name"
            )
        }
        let name: String
        switch slo.sli {
        case .metric(let metric): name = metric
        case .candidateWorse(let metric): name = metric
        default: return
        }
        let task = slos.host.read { engine in engine.modelSummaries.first { $0.name == slo.model }?.task }
        guard let task else { return }
        if case .candidateWorse = slo.sli {
            let tested = Engine.comparableMetrics(task).map(\.name)
            guard tested.contains(name) else {
                throw APIError(
                    .badRequest, "invalid_sli",
                    "sli: metric '\(name.prefix(64))' has no comparison test for a \(task.rawValue) model; choose from \(tested.joined(separator: ", "))"
                )
            }
            return
        }
        let now = clock()
        try slos.host.read { (engine) throws(APIError) in
            do throws(QueryError) {
                _ = try engine.metrics(model: slo.model, window: .range(from: now, to: now), names: [name])
            } catch {
                throw APIError(.badRequest, "invalid_sli", "sli: \(error.message)")
            }
        }
    }

    func delete(name: String) async throws(APIError) -> Response {
        guard try await registry.delete(name, at: clock()) else {
            throw APIError(.notFound, "unknown_slo", "unknown SLO '\(name)'")
        }
        return Response(status: .noContent)
    }

    // MARK: - Status

    /// `?to=T` evaluates every SLO over its window ending at T on the buckets as they stand (every label received
    /// so far), as the dashboard does; without it, at the server's clock.
    func list(_ request: Request) async throws(APIError) -> Response {
        let query = try parameters(request, allowed: ["to"])
        try slos.host.requireReady()
        let now = try MetricQuery.time(query["to"], "to") ?? clock()
        var out: [SLOResponse] = []
        for slo in registry.all {
            out.append(
                SLOResponse(
                    slo, status: try await slos.status(slo, at: now), alerts: try await liveAlerts(slo.name)))
        }
        return JSONResponse.make(SLOListResponse(at: now, slos: out))
    }

    /// Now from the live buckets (`?to=T`: over the window ending at T, with every label received so far);
    /// `?at=T` replays the retained log up to T, so the answer uses only the predictions made and the feedback
    /// arrived by then.
    func get(name: String, _ request: Request) async throws(APIError) -> Response {
        let query = try parameters(request, allowed: ["at", "to"])
        try slos.host.requireReady()
        let slo = try definition(name)
        guard let at = try MetricQuery.time(query["at"], "at") else {
            let to = try MetricQuery.time(query["to"], "to") ?? clock()
            return JSONResponse.make(
                SLOResponse(slo, status: try await slos.status(slo, at: to), alerts: try await liveAlerts(name)))
        }
        guard query["to"] == nil else {
            throw .badRequest(
                "invalid_parameter", "give 'at' (replay the log as of T) or 'to' (live buckets), not both")
        }
        let inputs = try await slos.inputs(slo)
        let (status, report) = try await asOf.run("slo") { (replayer, progress) throws in
            let (engine, report) = try await replayer.engine(asOf: at, progress: progress)
            do throws(QueryError) {
                return (try engine.evaluate(slo, at: at, inputs: inputs), report)
            } catch {
                throw error.api
            }
        }
        return JSONResponse.make(SLOResponse(slo, status: status, asOf: at)).replayed(report)
    }

    // MARK: - Backtest

    /// Evaluates the SLO at every step as the alert loop would have then: each step sees the state replayed as
    /// of its time (``AsOfReplayer``).
    func backtest(name: String, _ request: Request) async throws(APIError) -> Response {
        let query = try parameters(request, allowed: ["from", "to", "step"])
        try slos.host.requireReady()
        let slo = try definition(name)
        let step =
            try query["step"].map { (t) throws(APIError) in try MetricQuery.duration(t, "step") } ?? .seconds(3600)
        let inputs = try await slos.inputs(slo)
        // A pipeline SLI reads its subject's recorded history, not the prediction log.
        let readsLog = slo.sli.pipelineMeasure == nil
        let span: (earliest: Timestamp, latest: Timestamp)?
        do {
            span = readsLog ? try await log.eventTimeRange() : inputs.pipeline?.span.map { ($0.0, $0.1) }
        } catch {
            throw APIError(.internalServerError, "storage_failed", "could not read the event log: \(error)")
        }
        guard let (first, latest) = span else {
            throw APIError(.notFound, "no_history", "the log holds no events to backtest over")
        }
        let to = try MetricQuery.time(query["to"], "to") ?? Self.ceil(latest, step)
        let from = try MetricQuery.time(query["from"], "from") ?? Self.floor(first, step)
        var run: SLOBacktest.Run
        do throws(SLOError) {
            run = try SLOBacktest(slo, inputs: inputs).start(from: from, to: to, step: step)
        } catch {
            throw error.api
        }
        guard readsLog else {
            let empty = Engine(configuration: configuration.engine)
            for t in run.times {
                do throws(SLOError) { try run.evaluate(empty, at: t) } catch { throw error.api }
            }
            return JSONResponse.make(BacktestResponse(backtest: run.result, historyFrom: first))
        }
        let (result, report) = try await asOf.run("backtest") { [run] (replayer, progress) throws in
            var run = run
            let report = try await replayer.replay(through: run.times, progress: progress) { t, engine in
                do throws(SLOError) { try run.evaluate(engine, at: t) } catch { throw error.api }
            }
            return (run.result, report)
        }
        return JSONResponse.make(BacktestResponse(backtest: result, historyFrom: first)).replayed(report)
    }

    static func floor(_ t: Timestamp, _ step: Duration) -> Timestamp {
        let s = step.milliseconds
        return Timestamp(milliseconds: t.milliseconds.floorDivided(by: s).0 * s)
    }

    static func ceil(_ t: Timestamp, _ step: Duration) -> Timestamp {
        let f = floor(t, step)
        return f == t ? t : f + step
    }

    // MARK: - Alerts

    /// Where and why: the alert's worst slices, drifted columns, label lag and the changes before it began.
    func explanation(id: String) async throws(APIError) -> Response {
        guard let alert = try await log.storedAlerts(states: nil, slo: nil, limit: 10_000).first(where: { $0.id == id })
        else {
            throw APIError(
                .notFound, "unknown_alert",
                "unknown alert '\(id.prefix(200))': alert ids are SLO/RULE/START_MS, percent-encode the slashes (GET /v1/alerts lists them)"
            )
        }
        let slo = try definition(alert.slo)
        try slos.host.requireReady()
        let inputs = try await slos.inputs(slo)
        let to = alert.firedAt ?? alert.activeSince
        var changes: [Change] = []
        if !slo.model.isEmpty {
            do {
                changes = try await log.changes(
                    model: slo.model, from: alert.activeSince - AlertContext.changeLookback, to: to + .seconds(1),
                    kinds: nil, limit: StoreLimits.changesPerModel)
            } catch {
                throw APIError(.internalServerError, "storage_failed", "could not read changes: \(error)")
            }
        }
        let explanation = slos.host.read { $0.explanation(alert, slo, inputs: inputs, changes: changes) }
        return JSONResponse.make(explanation)
    }

    func alerts(_ request: Request) async throws(APIError) -> Response {
        let query = try parameters(request, allowed: ["state", "slo", "limit"])
        var states: Set<Alert.State>?
        if let text = query["state"] {
            states = []
            for part in text.split(separator: ",") {
                guard let s = Alert.State(rawValue: String(part)) else {
                    throw .badRequest("invalid_state", "state '\(part)': expected pending, firing or resolved")
                }
                states?.insert(s)
            }
        }
        let limit =
            try query["limit"].map { (text) throws(APIError) -> Int in
                guard let n = Int(text), (1...10_000).contains(n) else {
                    throw .badRequest("invalid_limit", "limit must be a whole number from 1 to 10000, got '\(text)'")
                }
                return n
            } ?? 1000
        return JSONResponse.make(
            AlertListResponse(alerts: try await log.storedAlerts(states: states, slo: query["slo"], limit: limit)))
    }
}
