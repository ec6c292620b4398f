import Foundation
import HTTPTypes
import Hummingbird
import Prometheus
import VigilCore
import VigilStore

/// `GET /metrics`: Prometheus text exposition of the SLOs (SLI, interval, budget, burn rates, verdict), the
/// models (predictions, label coverage, drift), the join (pending predictions, orphans) and ingest counters.
///
/// Every label set is low-cardinality: one per SLO, burn window, model, version or verdict. The registry is
/// built fresh on each scrape from the state at that moment, so series of deleted SLOs disappear.
struct MetricsExporter: Sendable {
    let slos: LiveSLOs
    let log: any Store
    let clock: @Sendable () -> Timestamp
    /// This node's role and log position among the nodes sharing the store.
    let cluster: ClusterState
    /// The window of the per-model label coverage and drift gauges.
    var modelWindow: Duration = .seconds(86_400)

    func register(on router: Router<BasicRequestContext>) {
        router.get("/metrics") { _, _ in try await scrape() }
    }

    func scrape() async throws(APIError) -> Response {
        let registry = PrometheusCollectorRegistry()
        let now = clock()
        await exportEngine(registry, now)
        await exportCluster(registry)
        if case .ready = slos.host.phase {
            await exportSLOs(registry, now)
            await exportAlerts(registry)
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    /// This node's role (1 for its current one) and how far its engine is behind the log's end, in batches.
    private func exportCluster(_ r: PrometheusCollectorRegistry) async {
        let state = cluster.current
        for role in [ClusterState.Role.single, .writer, .follower] {
            gauge(
                r, "node_role", "1 for this node's role among the nodes sharing its store, 0 for the others.",
                [("role", role.rawValue)], state.role == role ? 1 : 0)
        }
        gauge(
            r, "node_shards_owned", "Engine shards this node applies (the others are read from their owners).", [],
            Double(state.owned.count))
        guard let last = try? await log.lastSequence() else { return }
        let applied = state.applied(logEnd: last)
        gauge(r, "log_sequence", "The newest committed log batch.", [], Double(last))
        gauge(
            r, "node_lag_batches", "Log batches committed that this node's engine has not applied yet.", [],
            Double(max(0, last - applied)))
    }

    private func gauge(
        _ r: PrometheusCollectorRegistry, _ name: String, _ help: String, _ labels: [(String, String)] = [],
        _ value: Double
    ) {
        r.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "vigil", metricName: name, unitName: "", helpText: help),
            labels: labels
        ).set(value)
    }

    private func counter(
        _ r: PrometheusCollectorRegistry, _ name: String, _ help: String, _ labels: [(String, String)] = [],
        _ value: Int
    ) {
        r.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "vigil", metricName: name, unitName: "total", helpText: help),
            labels: labels
        ).increment(by: Int64(value))
    }

    // MARK: - SLOs

    private func exportSLOs(_ r: PrometheusCollectorRegistry, _ now: Timestamp) async {
        for slo in slos.registry.all {
            guard let status = try? await slos.status(slo, at: now) else { continue }
            let labels = [
                ("slo", slo.name), ("model", slo.model), ("version", slo.version ?? ""), ("sli", slo.sli.description),
                ("subject", slo.subject ?? ""),
            ]
            gauge(r, "slo_objective", "The SLO's target value.", labels, slo.objective.target)
            if let v = status.value.value { gauge(r, "slo_sli", "The SLI over the SLO window.", labels, v) }
            if let lo = status.value.lower, let hi = status.value.upper {
                gauge(r, "slo_sli_lower", "Lower end of the SLI's 95% Wilson interval.", labels, lo)
                gauge(r, "slo_sli_upper", "Upper end of the SLI's 95% Wilson interval.", labels, hi)
            }
            gauge(
                r, "slo_sli_samples", "Samples the SLI stands on (labeled predictions, values, rows).", labels,
                Double(status.value.n))
            if let c = status.value.labelCoverage {
                gauge(r, "slo_label_coverage", "Fraction of the SLO window's predictions that are labeled.", labels, c)
            }
            if let b = status.budget {
                gauge(
                    r, "slo_error_budget_remaining", "Error budget left: 1 untouched, 0 spent, below 0 overspent.",
                    labels, b.remainingFraction)
                gauge(
                    r, "slo_error_budget_remaining_events", "Bad events still allowed in the SLO window.", labels,
                    b.remainingEvents)
            }
            for burn in status.burnRates {
                guard let rate = burn.burnRate else { continue }
                gauge(
                    r, "slo_burn_rate", "Bad fraction over budget fraction, per window.",
                    labels + [("window", burn.window)], rate)
            }
            for verdict in [SLOStatus.Verdict.ok, .atRisk, .breached, .insufficientData] {
                gauge(
                    r, "slo_status", "1 for the SLO's current verdict, 0 for the others.",
                    labels + [("verdict", verdict.rawValue)], status.verdict == verdict ? 1 : 0)
            }
        }
    }

    private func exportAlerts(_ r: PrometheusCollectorRegistry) async {
        guard let live = try? await log.alerts(states: [.pending, .firing]) else { return }
        var counts: [String: Int] = [:]
        for a in live { counts["\(a.slo)\u{1f}\(a.rule)\u{1f}\(a.severity)\u{1f}\(a.state.rawValue)", default: 0] += 1 }
        for (key, n) in counts.sorted(by: { $0.key < $1.key }) {
            let p = key.split(separator: "\u{1f}", omittingEmptySubsequences: false).map(String.init)
            gauge(
                r, "alerts", "Live alerts by SLO, rule, severity and state.",
                [("slo", p[0]), ("rule", p[1]), ("severity", p[2]), ("state", p[3])], Double(n))
        }
    }

    // MARK: - Engine

    private func exportEngine(_ r: PrometheusCollectorRegistry, _ now: Timestamp) async {
        let ready: Bool
        if case .ready = slos.host.phase { ready = true } else { ready = false }
        gauge(r, "ready", "1 once recovery has finished and the server takes requests.", [], ready ? 1 : 0)
        guard ready else { return }
        let (stats, models, perVersion, memory) = slos.host.read { engine in
            let models = engine.modelSummaries.filter { $0.task != nil }
            var perVersion: [(String, String, MetricReport?)] = []
            for m in models {
                for v in m.versions {
                    let report = try? engine.metrics(
                        model: m.name, window: .last(modelWindow, now: now), version: v,
                        names: ["count", "label_coverage"])
                    perVersion.append((m.name, v, report))
                }
            }
            return (engine.statistics, models, perVersion, engine.memoryFootprint)
        }
        gauge(
            r, "pending_predictions", "Predictions awaiting feedback in the join index.", [],
            Double(stats.pendingPredictions))
        // Where the engine's memory goes (the rest of the resident set is profiles, the runtime and caches).
        gauge(
            r, "engine_memory_bytes", "Bytes held by the engine, by part.", [("part", "join_index")],
            Double(memory.joinIndex))
        gauge(
            r, "engine_memory_bytes", "Bytes held by the engine, by part.", [("part", "buckets")],
            Double(memory.buckets))
        gauge(
            r, "orphan_feedback_pending", "Feedback held while waiting for its prediction.", [],
            Double(stats.orphansPending))
        counter(
            r, "orphan_feedback_expired", "Orphan feedback dropped after the orphan horizon.", [], stats.orphansExpired)
        counter(r, "orphan_feedback_dropped", "Orphan feedback dropped at the orphan bound.", [], stats.orphansDropped)
        counter(r, "predictions_accepted", "Predictions accepted since the log began.", [], stats.predictionsAccepted)
        counter(r, "feedback_accepted", "Feedback rows accepted since the log began.", [], stats.feedbackAccepted)
        counter(r, "label_corrections", "Labels replaced by a later correction.", [], stats.corrections)
        counter(
            r, "segment_values_folded",
            "Predictions whose segment value was past the per-key limit and was counted as __other__.", [],
            stats.segmentValuesFolded)
        counter(r, "duplicate_feedback", "Feedback rows that repeated a known label.", [], stats.duplicateFeedback)
        counter(
            r, "evicted_predictions", "Predictions evicted from the join after the label horizon.", [], stats.evicted)
        for m in models {
            counter(r, "model_predictions", "Predictions of the model.", [("model", m.name)], Int(m.predictions))
            if let last = m.lastEvent {
                gauge(
                    r, "model_last_prediction_timestamp_seconds", "Event time of the newest prediction.",
                    [("model", m.name)],
                    Double(last.milliseconds) / 1000)
            }
        }
        let window = modelWindow.windowText
        for (model, version, report) in perVersion {
            let labels = [("model", model), ("version", version), ("window", window)]
            if let c = report?["count"]?.value {
                gauge(r, "model_window_predictions", "Predictions in the trailing window.", labels, c)
            }
            if let c = report?["label_coverage"]?.value {
                gauge(r, "model_label_coverage", "Labeled fraction of the trailing window's predictions.", labels, c)
            }
        }
        await exportDrift(r, now, models.map(\.name))
    }

    /// Drifted-column counts over the trailing window, for models with a reference.
    private func exportDrift(_ r: PrometheusCollectorRegistry, _ now: Timestamp, _ models: [String]) async {
        for model in models {
            guard let inputs = try? await slos.documents.sliInputs(model), let reference = inputs.reference,
                let current = try? slos.host.read({ (engine) throws(QueryError) in
                    try engine.profile(model: model, window: .last(modelWindow, now: now))
                })
            else { continue }
            let report = DriftReport(reference: reference, current: current.profile, rules: inputs.rules)
            let labels = [("model", model), ("window", modelWindow.windowText)]
            gauge(
                r, "model_drifted_columns", "Columns whose drift verdict is 'drift' in the trailing window.", labels,
                Double(report.drifted.count))
            gauge(
                r, "model_profiled_columns", "Columns compared against the reference.", labels,
                Double(report.columns.count + report.outputs.count))
        }
    }
}
