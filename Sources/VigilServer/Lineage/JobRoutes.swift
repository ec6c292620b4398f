import Foundation
import Hummingbird
import VigilCore
import VigilStore

/// What a job declares about itself besides its runs (see `docs/lineage.md`):
///
/// - `POST /v1/jobs/{namespace}/{name}/heartbeat[ {"time": T}]`: the job is alive, for a `job.heartbeat`
///   SLO (a dead man's switch) on jobs that send nothing else;
/// - `PUT /v1/jobs/{namespace}/{name}/gates {"gates": ["trips-gate"]}`: every output of its completed runs
///   must pass these gates, checked from what the run reported when its rows were not checked already;
///   `GET` the same path lists them.
struct JobRoutes: Sendable {
    let log: any Store
    let clock: @Sendable () -> Timestamp

    /// A heartbeat's time may run ahead of the server's clock by this much (clock skew), no more.
    static let maxClockSkew = Duration.seconds(300)

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/jobs/{namespace}/{name}/heartbeat") { request, context in
            try await heartbeat(try Self.job(context), request)
        }
        router.put("/v1/jobs/{namespace}/{name}/gates") { request, context in
            try await setGates(try Self.job(context), request)
        }
        router.get("/v1/jobs/{namespace}/{name}/gates") { _, context in
            let job = try Self.job(context)
            return JSONResponse.make(
                JobGates(job: job, gates: try await PipelineStore.read { try await log.jobGates(job) }))
        }
    }

    static func job(_ context: BasicRequestContext) throws -> JobRef {
        JobRef(namespace: try context.parameters.decoded("namespace"), name: try context.parameters.decoded("name"))
    }

    struct Heartbeat: Encodable {
        var job: JobRef
        var at: Timestamp
    }

    func heartbeat(_ job: JobRef, _ request: Request) async throws(APIError) -> Response {
        try Self.checkNames(job)
        let body = try await RequestBody.collect(request, limit: 4096, timeout: .seconds(10))
        let now = clock()
        var at = now
        if body.readableBytes > 0 {
            let o = try JSONObjectBody.parse(
                Data(body.readableBytesView),
                #"the body is empty or a JSON object such as {"time": "2026-12-03T08:00:00Z"}"#)
            try JSONObjectBody.requireKnown(o, ["time"])
            if let t = o["time"] { at = try OpenLineageBody.time(t, "time") }
        }
        guard at <= now + Self.maxClockSkew else {
            throw .badRequest(
                "invalid_value", "time: \(at) is ahead of the server's clock (\(now)) by more than 5 minutes")
        }
        try await PipelineStore.write { try await log.recordHeartbeat(job, at: at) }
        return JSONResponse.make(Heartbeat(job: job, at: at), status: .accepted)
    }

    struct JobGates: Encodable {
        var job: JobRef
        var gates: [String]
    }

    func setGates(_ job: JobRef, _ request: Request) async throws(APIError) -> Response {
        try Self.checkNames(job)
        let body = try await RequestBody.collect(request, limit: 64 * 1024, timeout: .seconds(10))
        let o = try JSONObjectBody.parse(
            Data(body.readableBytesView), #"body must be a JSON object such as {"gates": ["trips-gate"]}"#)
        try JSONObjectBody.requireKnown(o, ["gates"])
        guard let names = o["gates"] as? [String], names.count <= StoreLimits.gatesPerJob else {
            throw .badRequest(
                "invalid_type", "gates: expected an array of at most \(StoreLimits.gatesPerJob) gate names")
        }
        for (i, name) in names.enumerated() where try await PipelineStore.read({ try await log.gate(name) }) == nil {
            throw APIError(
                .notFound, "unknown_gate",
                "gates[\(i)]: no gate '\(name.prefix(64))': define it with PUT /v1/gates/{name}")
        }
        let gates = Array(Set(names)).sorted()
        try await PipelineStore.write { try await log.setJobGates(job, gates: gates, at: clock()) }
        return JSONResponse.make(JobGates(job: job, gates: gates))
    }

    /// A job path names what OpenLineage would: a namespace and a name within the store's limits.
    static func checkNames(_ job: JobRef) throws(APIError) {
        _ = try OpenLineageBody.name(job.namespace, "namespace")
        _ = try OpenLineageBody.name(job.name, "name")
    }
}
