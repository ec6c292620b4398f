import Foundation
import HTTPTypes
import VigilCore
import VigilStore

/// `/models/{model}/versions`: the deployments, the candidate against its baseline over the range (each
/// metric's difference with its fixed and always-valid verdicts, the rollout verdict), the label-free view
/// of the candidate's outputs, each shadow against the served versions, and the change timeline.
struct VersionsPage {
    struct DeploymentRow {
        var version: String
        var stage: String
        var share: String
        var started: String
        var ended: String
        var owner: String
        var codeRef: String
        var trainingRun: String
        var offline: String
    }

    struct ComparisonRow {
        var segment: String
        var metric: String
        var baseline: String
        var candidate: String
        var n: String
        var difference: String
        var differenceExact: String
        var interval: String
        var pValue: String
        var verdict: String
        var sequential: String
        var sequentialVerdict: String
        var labelsNeeded: String
    }

    struct OutputRow {
        var column: String
        var statistic: String
        var value: String
        var verdict: String
    }

    struct ShadowRow {
        var shadow: String
        var pairs: String
        var disagreement: String
        var table: String
        var difference: String
        var pValue: String
        var verdict: String
    }

    struct ChangeRow {
        var at: String
        var kind: String
        var summary: String
    }

    var frame: PageFrame
    var deployments: [DeploymentRow]
    var hasDeployments: Bool
    var baseline: String?
    var candidate: String?
    var canVerdict: String?
    var recommendation: String?
    var comparison: [ComparisonRow]
    var outputs: [OutputRow]
    var comparisonHint: String?
    var shadows: [ShadowRow]
    var changes: [ChangeRow]
    var model: String

    static let known: Set<String> = ["range", "to", "baseline", "candidate", "margin", "by"]

    init(_ sources: DashboardSources, model: String, _ query: [String: String]) async throws(APIError) {
        try QueryParameters.requireKnown(query, Self.known)
        let now = sources.clock()
        let summary = try sources.summary(model)
        let range = try DashboardRange(query, now: now, latest: summary.lastEvent)
        self.model = model
        let recorded = (try? await sources.log.deployments(model: model)) ?? []
        var keep: [(String, String)] = []
        for key in ["baseline", "candidate", "margin", "by"] {
            if let v = query[key], !v.isEmpty { keep.append((key, v)) }
        }
        frame = PageFrame(
            title: "\(model) · versions", model: model, page: .versions,
            path: "/models/\(DashboardLinks.escape(model))/versions", range: range, latestEvent: summary.lastEvent,
            keep: keep, now: now)
        deployments = recorded.map(Self.row)
        hasDeployments = !deployments.isEmpty
        baseline = query["baseline"].flatMap { $0.isEmpty ? nil : $0 } ?? ComparisonRequest.only(recorded, .primary)
        candidate = query["candidate"].flatMap { $0.isEmpty ? nil : $0 } ?? ComparisonRequest.only(recorded, .canary)
        comparison = []
        outputs = []
        shadows = try summary.shadowVersions.sorted().map { (shadow) throws(APIError) in
            let s = try sources.host.query { engine throws(QueryError) in
                try engine.shadowComparison(model: model, shadow: shadow, window: range.window)
            }
            return Self.row(s)
        }
        changes =
            await
            ((try? sources.log.changes(model: model, from: range.from, to: range.to, kinds: nil, limit: 200)) ?? [])
            .reversed().map { ChangeRow(at: TimeLabel.full($0.at), kind: $0.kind.rawValue, summary: $0.summary) }
        if let baseline, let candidate {
            try compare(sources, baseline, candidate, range, query)
        } else {
            comparisonHint =
                "Record a primary and a canary deployment (PUT /v1/models/\(model)/deployments/VERSION), or pick ?baseline=V1&candidate=V2; served versions: \(summary.versions.sorted().joined(separator: ", "))."
        }
    }

    private mutating func compare(
        _ sources: DashboardSources, _ baseline: String, _ candidate: String, _ range: DashboardRange,
        _ query: [String: String]
    ) throws(APIError) {
        var asked = query.filter { ["baseline", "candidate", "margin", "by"].contains($0.key) && !$0.value.isEmpty }
        asked["baseline"] = baseline
        asked["candidate"] = candidate
        let request = try ComparisonRequest(asked, model: model, now: sources.clock(), deployments: [])
        let model = model
        let (c, labelFree) = try sources.host.query { engine throws(QueryError) in
            var r = request
            r.window = range.window
            return (
                try r.compare(engine, model: model),
                try ComparisonRoutes.labelFree(engine, model, baseline: baseline, candidate: candidate, range.window)
            )
        }
        let verdict = CanaryVerdict(c)
        canVerdict = verdict.verdict.rawValue
        recommendation = verdict.recommendation
        for slice in c.slices {
            let name = slice.segment.map { "\($0.key):\($0.value)" } ?? "overall"
            for m in slice.metrics { comparison.append(Self.row(name, m)) }
        }
        outputs = labelFree.outputs.map {
            OutputRow(
                column: $0.column, statistic: $0.threshold.statistic.rawValue, value: DashboardFormat.number($0.value),
                verdict: $0.verdict.rawValue)
        }
    }

    static func row(_ d: Deployment) -> DeploymentRow {
        DeploymentRow(
            version: d.version, stage: d.stage.rawValue, share: DashboardFormat.percent(d.trafficShare, digits: 0),
            started: TimeLabel.full(d.startedAt), ended: d.endedAt.map(TimeLabel.full) ?? "—", owner: d.owner ?? "—",
            codeRef: d.codeRef ?? "—", trainingRun: d.trainingRun ?? "—",
            offline: d.offlineMetrics.sorted { $0.key < $1.key }.map { "\($0.key) \(DashboardFormat.number($0.value))" }
                .joined(separator: ", "))
    }

    static func row(_ segment: String, _ m: VersionComparison.Metric) -> ComparisonRow {
        let d = m.difference
        let s = m.sequential
        return ComparisonRow(
            segment: segment, metric: m.metric, baseline: DashboardFormat.number(m.baseline.value),
            candidate: DashboardFormat.number(m.candidate.value),
            n: "\(DashboardFormat.count(m.baseline.n)) / \(DashboardFormat.count(m.candidate.n))",
            difference: DashboardFormat.number(d?.estimate), differenceExact: DashboardFormat.exact(d?.estimate),
            interval: DashboardFormat.interval(d?.lower, d?.upper),
            pValue: d.map { String(format: "%.2g", $0.pValue) } ?? "—", verdict: m.verdict.rawValue,
            sequential: DashboardFormat.interval(s?.lower, s?.upper),
            sequentialVerdict: s?.verdict.rawValue ?? "undecided",
            labelsNeeded: m.labelsNeeded.map(DashboardFormat.count) ?? (m.note ?? ""))
    }

    static func row(_ s: ShadowComparison) -> ShadowRow {
        let table = s.table.map {
            "both right \($0.bothRight), served only \($0.primaryOnlyRight), shadow only \($0.shadowOnlyRight), both wrong \($0.bothWrong)"
        }
        return ShadowRow(
            shadow: s.shadow, pairs: DashboardFormat.count(s.pairs),
            disagreement: s.disagreement.map { DashboardFormat.percent($0.value) }
                ?? s.meanPredictionDifference.map { "mean |Δŷ| \(DashboardFormat.number($0))" } ?? "—",
            table: table ?? "\(DashboardFormat.count(s.labeledPairs)) labeled pairs",
            difference:
                "\(s.metric) \(DashboardFormat.number(s.difference?.estimate)) \(DashboardFormat.interval(s.difference?.lower, s.difference?.upper))",
            pValue: s.difference.map { String(format: "%.2g", $0.pValue) } ?? "—", verdict: s.verdict.rawValue)
    }
}
