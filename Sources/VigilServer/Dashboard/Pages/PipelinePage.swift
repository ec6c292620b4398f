import Foundation
import HTTPTypes
import VigilCore
import VigilStore

/// `/pipeline`: every job with its last run, last success and heartbeat, the gates declared on it; every
/// gate with its last check; every pipeline SLO with its status; and a box to trace a prediction.
struct PipelinePage {
    struct JobRow {
        var job: String
        var runs: String
        var lastRun: String
        var state: String
        var stateClass: String
        var lastRunAt: String
        var lastSuccess: String
        var heartbeat: String
        var gates: String
        var error: String?
    }

    struct GateRow {
        var name: String
        var verdict: String
        var checkedAt: String
        var run: String
        var dataset: String
        var violations: String
    }

    var frame: PageFrame
    var jobs: [JobRow]
    var hasJobs: Bool
    var gates: [GateRow]
    var hasGates: Bool
    var slos: [SLORow]
    var hasSLOs: Bool

    init(_ sources: DashboardSources, _ query: [String: String]) async throws(APIError) {
        try QueryParameters.requireKnown(query, ["range", "to", "step"])
        let now = sources.clock()
        let range = try DashboardRange(query, now: now, latest: now)
        frame = PageFrame(
            title: "Pipeline", model: nil, page: .pipeline, path: "/pipeline", range: range, latestEvent: nil, now: now)
        let log = sources.log
        var jobs: [JobRow] = []
        for s in try await PipelineStore.read({ try await log.pipelineJobs() }) {
            jobs.append(
                try Self.row(
                    s, heartbeat: await PipelineStore.read { try await log.lastHeartbeat(s.job) },
                    gates: await PipelineStore.read { try await log.jobGates(s.job) }))
        }
        self.jobs = jobs
        hasJobs = !jobs.isEmpty
        var gates: [GateRow] = []
        for g in try await PipelineStore.read({ try await log.gates() }) {
            gates.append(
                Self.row(
                    g,
                    try await PipelineStore.read { try await log.gateChecks(gate: g.name, runId: nil, limit: 1).first })
            )
        }
        self.gates = gates
        hasGates = !gates.isEmpty
        var slos: [SLORow] = []
        for slo in sources.slos.registry.all where slo.sli.pipelineMeasure != nil {
            slos.append(
                SLORow(
                    slo, try await sources.slos.status(slo, at: range.to),
                    href: "/v1/slos/\(DashboardLinks.escape(slo.name))"))
        }
        self.slos = slos
        hasSLOs = !slos.isEmpty
    }

    static func row(_ s: JobSummary, heartbeat: Timestamp?, gates: [String]) -> JobRow {
        let state = s.latest?.state.rawValue ?? "—"
        return JobRow(
            job: s.job.description, runs: DashboardFormat.count(Int64(s.runs)), lastRun: s.latest?.runId ?? "—",
            state: state, stateClass: stateClass(s.latest?.state),
            lastRunAt: (s.latest.map { $0.endedAt ?? $0.startedAt }).map(TimeLabel.full) ?? "—",
            lastSuccess: s.lastSuccess.map(TimeLabel.full) ?? "never", heartbeat: heartbeat.map(TimeLabel.full) ?? "—",
            gates: gates.isEmpty ? "—" : gates.joined(separator: ", "), error: s.latest?.errorMessage)
    }

    static func stateClass(_ state: LineageEvent.State?) -> String {
        switch state {
        case .complete: return "pass"
        case .fail, .abort: return "fail"
        default: return "pending"
        }
    }

    static func row(_ g: DataGate, _ check: GateCheck?) -> GateRow {
        GateRow(
            name: g.name, verdict: check?.verdict.rawValue ?? "unchecked",
            checkedAt: check.map { TimeLabel.full($0.checkedAt) } ?? "—", run: check?.runId ?? "—",
            dataset: check?.dataset ?? "—",
            violations: check.map { c in
                c.columns.map { "\($0.column): \($0.violations.map(\.rule.rawValue).joined(separator: ", "))" }
                    .joined(separator: "; ")
            } ?? "")
    }
}
