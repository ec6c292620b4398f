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

    init(_ sources: DashboardSources, _ query: [String: String]) throws(APIError) {
        try QueryParameters.requireKnown(query, ["range", "to", "step"])
        let now = sources.clock()
        let range = try DashboardRange(query, now: now, latest: now)
        frame = PageFrame(
            title: "Pipeline", model: nil, page: .pipeline, path: "/pipeline", range: range, latestEvent: nil, now: now)
        let log = sources.log
        jobs = try PipelineStore.read { try log.pipelineJobs() }.map { (s) throws(APIError) in
            try Self.row(
                s, heartbeat: PipelineStore.read { try log.lastHeartbeat(s.job) },
                gates: PipelineStore.read { try log.jobGates(s.job) })
        }
        hasJobs = !jobs.isEmpty
        gates = try PipelineStore.read { try log.gates() }.map { (g) throws(APIError) in
            Self.row(g, try PipelineStore.read { try log.gateChecks(gate: g.name, runId: nil, limit: 1).first })
        }
        hasGates = !gates.isEmpty
        slos = try sources.slos.registry.all.filter { $0.sli.pipelineMeasure != nil }.map { (slo) throws(APIError) in
            SLORow(slo, try sources.slos.status(slo, at: range.to), href: "/v1/slos/\(DashboardLinks.escape(slo.name))")
        }
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
