import Foundation
import Hummingbird
import VigilCore
import VigilStore

/// Pipeline runs in (OpenLineage at `POST /api/v1/lineage`, the path its HTTP transport posts to; plain
/// `POST /v1/runs`), and jobs, runs and datasets out (see `docs/lineage.md`).
struct LineageRoutes: Sendable {
    let log: any Store
    let configuration: ServerConfiguration
    let clock: @Sendable () -> Timestamp

    /// An OpenLineage event is small; a large schema facet stays well under this.
    static let maxBodyBytes = 4 * 1024 * 1024

    func register(on router: Router<BasicRequestContext>) {
        router.post("/api/v1/lineage") { request, _ in try await openLineage(request) }
        router.post("/v1/runs") { request, _ in try await plainRun(request) }
        router.get("/v1/runs/{id}") { _, context in try await run(try context.parameters.decoded("id")) }
        router.get("/v1/jobs") { request, _ in try await jobs(request) }
        router.get("/v1/jobs/{namespace}/{name}/runs") { request, context in
            try await runs(
                JobRef(
                    namespace: try context.parameters.decoded("namespace"), name: try context.parameters.decoded("name")
                ),
                request)
        }
        router.get("/v1/datasets/{namespace}/{name}") { request, context in
            try await dataset(
                namespace: try context.parameters.decoded("namespace"), name: try context.parameters.decoded("name"),
                request)
        }
    }

    struct Recorded: Encodable {
        var stored: Bool
        var run: PipelineRun?
        var note: String?
        /// The checks of the gates declared on the job, made when this event completed the run.
        var gateChecks: [GateCheck]?

        enum CodingKeys: String, CodingKey { case stored, run, note, gateChecks = "gate_checks" }
    }

    func openLineage(_ request: Request) async throws(APIError) -> Response {
        let body = try await RequestBody.collect(
            request, limit: Self.maxBodyBytes, timeout: configuration.bodyReadTimeout)
        switch try OpenLineageBody.decode(Data(body.readableBytesView)) {
        case .run(let event):
            let (run, checks) = try await record(event)
            return JSONResponse.make(Recorded(stored: true, run: run, gateChecks: checks), status: .created)
        case .staticLineage(let kind):
            return JSONResponse.make(
                Recorded(stored: false, note: "\(kind)s (static lineage) are accepted and not stored; send RunEvents"))
        }
    }

    func plainRun(_ request: Request) async throws(APIError) -> Response {
        let body = try await RequestBody.collect(
            request, limit: Self.maxBodyBytes, timeout: configuration.bodyReadTimeout)
        let event = try RunBody.decode(Data(body.readableBytesView), now: clock())
        let (run, checks) = try await record(event)
        return JSONResponse.make(Recorded(stored: true, run: run, gateChecks: checks), status: .created)
    }

    /// Records the event; when it completes the run, checks the outputs against the job's declared gates.
    private func record(_ event: LineageEvent) async throws(APIError) -> (PipelineRun, [GateCheck]?) {
        let run = try await PipelineStore.write { try await log.recordLineage(event) }
        guard event.state == .complete, run.state == .complete else { return (run, nil) }
        return (run, try await checkDeclaredGates(run))
    }

    /// Each output against each gate declared on the job, from what the run reported of it — unless the rows
    /// were checked for this run already (`vigil.gate(…, run_id=)` before COMPLETE), which is the better check.
    func checkDeclaredGates(_ run: PipelineRun) async throws(APIError) -> [GateCheck] {
        var made: [GateCheck] = []
        for name in try await PipelineStore.read({ try await log.jobGates(run.job) }) {
            guard let gate = try await PipelineStore.read({ try await log.gate(name) }) else { continue }
            for output in run.outputs {
                let dataset = "\(output.namespace)/\(output.name)"
                guard
                    !(try await PipelineStore.read {
                        try await log.hasGateCheck(gate: name, runId: run.runId, dataset: dataset)
                    })
                else { continue }
                let check = GateCheck(
                    gate: gate, summary: DatasetSummary(output), at: run.endedAt ?? clock(), runId: run.runId,
                    dataset: dataset)
                made.append(try await PipelineStore.write { try await log.recordGateCheck(check) })
            }
        }
        return made
    }

    func run(_ id: String) async throws(APIError) -> Response {
        guard let run = try await PipelineStore.read({ try await log.pipelineRun(id) }) else {
            throw APIError(.notFound, "unknown_run", "no run with id '\(id.prefix(64))'")
        }
        // The run, with the gate checks made for it.
        let checks = try await PipelineStore.read { try await log.gateChecks(gate: nil, runId: id, limit: 100) }
        return JSONResponse.make(Annotated(run, [("gate_checks", checks)]))
    }

    struct JobList: Encodable { var jobs: [JobSummary] }

    func jobs(_ request: Request) async throws(APIError) -> Response {
        try QueryParameters.requireKnown(QueryParameters.dictionary(request), ["namespace"])
        let namespace = QueryParameters.dictionary(request)["namespace"]
        let all = try await PipelineStore.read { try await log.pipelineJobs() }
        return JSONResponse.make(JobList(jobs: all.filter { namespace == nil || $0.job.namespace == namespace }))
    }

    struct RunList: Encodable {
        var job: JobRef
        var runs: [PipelineRun]
    }

    func runs(_ job: JobRef, _ request: Request) async throws(APIError) -> Response {
        let query = QueryParameters.dictionary(request)
        try QueryParameters.requireKnown(query, ["limit"])
        let limit = try Self.limit(query["limit"])
        let runs = try await PipelineStore.read { try await log.pipelineRuns(job: job, limit: limit) }
        guard !runs.isEmpty else {
            throw APIError(.notFound, "unknown_job", "no runs of job '\(job.description.prefix(128))'")
        }
        return JSONResponse.make(RunList(job: job, runs: runs))
    }

    /// A dataset's versions (the runs that wrote it, with what they said of its data) and its readers.
    struct DatasetAnswer: Encodable {
        struct Version: Encodable {
            var run: String
            var job: JobRef
            var state: LineageEvent.State
            var at: Timestamp
            var facts: DatasetFacts?
        }

        struct Reader: Encodable {
            var run: String
            var job: JobRef
            var state: LineageEvent.State
            var at: Timestamp
        }

        var namespace: String
        var name: String
        var versions: [Version]
        var consumers: [Reader]
    }

    func dataset(namespace: String, name: String, _ request: Request) async throws(APIError) -> Response {
        let query = QueryParameters.dictionary(request)
        try QueryParameters.requireKnown(query, ["limit"])
        let limit = try Self.limit(query["limit"])
        let writers = try await PipelineStore.read {
            try await log.datasetRuns(namespace: namespace, name: name, role: "output", limit: limit)
        }
        let readers = try await PipelineStore.read {
            try await log.datasetRuns(namespace: namespace, name: name, role: "input", limit: limit)
        }
        guard !writers.isEmpty || !readers.isEmpty else {
            throw APIError(
                .notFound, "unknown_dataset",
                "no run read or wrote dataset '\(namespace.prefix(64))/\(name.prefix(128))'")
        }
        return JSONResponse.make(
            DatasetAnswer(
                namespace: namespace, name: name,
                versions: writers.map { r in
                    .init(
                        run: r.runId, job: r.job, state: r.state, at: r.endedAt ?? r.startedAt,
                        facts: r.outputs.first { $0.namespace == namespace && $0.name == name })
                },
                consumers: readers.map { .init(run: $0.runId, job: $0.job, state: $0.state, at: $0.startedAt) }))
    }

    static func limit(_ text: String?) throws(APIError) -> Int {
        guard let text else { return 100 }
        guard let n = Int(text), (1...StoreLimits.runsPerJob).contains(n) else {
            throw .badRequest("invalid_value", "limit: expected a whole number from 1 to \(StoreLimits.runsPerJob)")
        }
        return n
    }
}
