import HTTPTypes
import VigilCore
import VigilStore

/// Evaluates SLOs against the live engine, with each model's reference and rules.
struct LiveSLOs: Sendable {
    let host: EngineHost
    let registry: SLORegistry
    let documents: ModelDocuments
    let log: any Store

    /// The status of `slo` at `t` from the buckets as they stand.
    func status(_ slo: SLODefinition, at t: Timestamp) async throws(APIError) -> SLOStatus {
        try await statuses(slo, at: [t])[0]
    }

    /// The status of `slo` at each of `times`, with its reference and rules read once and one hold of the lock.
    func statuses(_ slo: SLODefinition, at times: [Timestamp]) async throws(APIError) -> [SLOStatus] {
        let inputs = try await self.inputs(slo)
        return try host.query { engine throws(QueryError) in
            try times.map { (t) throws(QueryError) in try engine.evaluate(slo, at: t, inputs: inputs) }
        }
    }

    /// Evaluates every SLO at `t` and moves `tracker` on; returns the statuses, the transitions, and the
    /// SLOs that could not be evaluated (one broken SLO does not stop the others).
    func evaluateAll(at t: Timestamp, tracker: inout AlertTracker) async throws(APIError) -> (
        statuses: [String: SLOStatus], changes: [AlertTransition], failures: [String]
    ) {
        let slos = registry.all
        var inputs: [String: SLIInputs] = [:]
        var recentChanges: [String: [Change]] = [:]
        var pipelines: [String: PipelineHistory] = [:]
        for model in Set(slos.map(\.model)) where !model.isEmpty {
            inputs[model] = try await documents.sliInputs(model)
            recentChanges[model] = await changes(of: model, before: t, slos: slos)
        }
        for slo in slos where slo.sli.pipelineMeasure != nil {
            pipelines[slo.name] = try await pipelineHistory(slo)
        }
        var statuses: [String: SLOStatus] = [:]
        var changes = tracker.retain(slos, at: t)
        var failures: [String] = []
        host.read { engine in
            for slo in slos {
                var given = inputs[slo.model] ?? SLIInputs()
                given.pipeline = pipelines[slo.name]
                do throws(QueryError) {
                    let status = try engine.evaluate(slo, at: t, inputs: given)
                    statuses[slo.name] = status
                    changes += tracker.update(slo, status, at: t) {
                        var context = engine.alertContext(slo, status, inputs: given)
                        let since = t - AlertContext.changeLookback - slo.longestFor
                        context.recentChanges = (recentChanges[slo.model] ?? []).filter { $0.at >= since }
                        return context
                    }
                } catch {
                    failures.append("\(slo.name): \(error.message)")
                }
            }
        }
        return (statuses, changes, failures)
    }
}

extension LiveSLOs {
    /// What `slo`'s SLI needs besides the engine: its model's reference and rules, its pipeline history.
    func inputs(_ slo: SLODefinition) async throws(APIError) -> SLIInputs {
        var inputs = slo.model.isEmpty ? SLIInputs() : try await documents.sliInputs(slo.model)
        inputs.pipeline = try await pipelineHistory(slo)
        return inputs
    }

    /// The recorded runs, heartbeats, writes or checks of a pipeline SLO's subject; `nil` for model SLOs.
    func pipelineHistory(_ slo: SLODefinition) async throws(APIError) -> PipelineHistory? {
        guard let measure = slo.sli.pipelineMeasure else { return nil }
        return try await PipelineStore.read { () async throws -> PipelineHistory? in
            switch measure.subject {
            case .job: if let job = slo.job { return try await log.pipelineHistory(job: job) }
            case .dataset: if let dataset = slo.dataset { return try await log.pipelineHistory(dataset: dataset) }
            case .gate: if let gate = slo.gate { return try await log.pipelineHistory(gate: gate) }
            }
            return nil
        }
    }

    /// The changes of `model` an alert firing at `t` may carry: the lookback before the longest pending time of
    /// its SLOs' rules, and since. Read before the engine is held; a failed read only leaves them out.
    fileprivate func changes(of model: String, before t: Timestamp, slos: [SLODefinition]) async -> [Change] {
        let longest = slos.filter { $0.model == model }.map(\.longestFor).max() ?? .zero
        return
            (try? await log.changes(
                model: model, from: t - AlertContext.changeLookback - longest, to: t + .seconds(1), kinds: nil,
                limit: StoreLimits.changesPerModel))
            ?? []
    }
}

extension SLODefinition {
    /// The longest `for` of its rules: an alert firing now may have begun that long ago.
    fileprivate var longestFor: Duration { rules.map(\.forDuration).max() ?? .zero }
}
