import VigilCore

/// Pipeline lineage (OpenLineage runs merged per run, their jobs and datasets), heartbeats, data gates and
/// their checks, the gates declared on jobs, and outputs flagged as bad. Bounded by ``StoreLimits`` and
/// ``StoreConfiguration/maxJobs``/``StoreConfiguration/maxGates``.
public protocol LineageStore: Sendable {
    /// Merges `event` into its run (creating the run and its job if new) and links its datasets; returns the
    /// run as stored.
    /// - Throws: ``PipelineLimitReached`` for a new job past the limit (nothing is recorded).
    func recordLineage(_ event: LineageEvent) async throws -> PipelineRun

    /// One run by id.
    func pipelineRun(_ id: String) async throws -> PipelineRun?

    /// A job's runs, newest start first, at most `limit`.
    func pipelineRuns(job: JobRef, limit: Int) async throws -> [PipelineRun]

    /// Every job with its newest run, by namespace and name.
    func pipelineJobs() async throws -> [JobSummary]

    /// The runs that wrote (`output`) or read (`input`) a dataset, newest first, at most `limit`.
    func datasetRuns(namespace: String, name: String, role: String, limit: Int) async throws -> [PipelineRun]

    /// Records that `job` was alive at `at` (registering the job if new).
    func recordHeartbeat(_ job: JobRef, at: Timestamp) async throws

    /// The newest heartbeat of a job.
    func lastHeartbeat(_ job: JobRef) async throws -> Timestamp?

    /// A job's runs and heartbeats.
    func pipelineHistory(job: JobRef) async throws -> PipelineHistory

    /// When completed runs wrote a dataset.
    func pipelineHistory(dataset: DatasetRef) async throws -> PipelineHistory

    /// A gate's checks.
    func pipelineHistory(gate: String) async throws -> PipelineHistory

    /// Creates or replaces a gate; returns whether it is new.
    /// - Throws: ``PipelineLimitReached`` for a new gate past the limit.
    @discardableResult
    func saveGate(_ gate: DataGate) async throws -> Bool

    func gate(_ name: String) async throws -> DataGate?

    /// Every gate, by name.
    func gates() async throws -> [DataGate]

    /// Removes a gate, its checks and its declarations on jobs; returns whether there was one.
    @discardableResult
    func deleteGate(_ name: String) async throws -> Bool

    /// Records a check; returns it with its id.
    func recordGateCheck(_ check: GateCheck) async throws -> GateCheck

    /// A gate's checks, newest first; or a run's checks with `runId`.
    func gateChecks(gate: String?, runId: String?, limit: Int) async throws -> [GateCheck]

    /// Replaces the gates declared on `job` (registering the job if new).
    func setJobGates(_ job: JobRef, gates: [String], at: Timestamp) async throws

    /// The gates declared on `job`, by name.
    func jobGates(_ job: JobRef) async throws -> [String]

    /// Records a flag; returns it with its id.
    /// - Throws: ``FlagLimitReached`` past the limits (nothing is recorded).
    func saveFlag(_ flag: OutputFlag) async throws -> OutputFlag

    /// A model's flags, oldest first.
    func flags(model: String) async throws -> [OutputFlag]

    /// Removes a flag; returns whether there was one.
    @discardableResult
    func deleteFlag(_ id: Int64) async throws -> Bool
}

extension LineageStore {
    /// A job's newest 100 runs.
    public func pipelineRuns(job: JobRef) async throws -> [PipelineRun] {
        try await pipelineRuns(job: job, limit: 100)
    }

    /// The newest 100 runs that wrote or read a dataset.
    public func datasetRuns(namespace: String, name: String, role: String) async throws -> [PipelineRun] {
        try await datasetRuns(namespace: namespace, name: name, role: role, limit: 100)
    }

    /// Whether `gate` was already checked for `runId` on `dataset` (`namespace/name`).
    public func hasGateCheck(gate: String, runId: String, dataset: String) async throws -> Bool {
        try await gateChecks(gate: gate, runId: runId, limit: 100).contains { $0.dataset == dataset }
    }
}
