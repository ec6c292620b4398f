import HTTPTypes
import VigilCore
import VigilStore

/// Evaluates SLOs against the live engine, with each model's reference and rules.
struct LiveSLOs: Sendable {
    let host: EngineHost
    let registry: SLORegistry
    let documents: ModelDocuments

    /// The status of `slo` at `t` from the buckets as they stand.
    func status(_ slo: SLODefinition, at t: Timestamp) throws(APIError) -> SLOStatus {
        try statuses(slo, at: [t])[0]
    }

    /// The status of `slo` at each of `times`, with its reference and rules read once and one hold of the lock.
    func statuses(_ slo: SLODefinition, at times: [Timestamp]) throws(APIError) -> [SLOStatus] {
        let inputs = try documents.sliInputs(slo.model)
        return try host.query { engine throws(QueryError) in
            try times.map { (t) throws(QueryError) in try engine.evaluate(slo, at: t, inputs: inputs) }
        }
    }

    /// Evaluates every SLO at `t` and moves `tracker` on; returns the statuses, the transitions, and the
    /// SLOs that could not be evaluated (one broken SLO does not stop the others).
    func evaluateAll(at t: Timestamp, tracker: inout AlertTracker) throws(APIError) -> (
        statuses: [String: SLOStatus], changes: [AlertTransition], failures: [String]
    ) {
        let slos = registry.all
        var inputs: [String: SLIInputs] = [:]
        for model in Set(slos.map(\.model)) { inputs[model] = try documents.sliInputs(model) }
        var statuses: [String: SLOStatus] = [:]
        var changes = tracker.retain(slos, at: t)
        var failures: [String] = []
        host.read { engine in
            for slo in slos {
                let given = inputs[slo.model] ?? SLIInputs()
                do throws(QueryError) {
                    let status = try engine.evaluate(slo, at: t, inputs: given)
                    statuses[slo.name] = status
                    changes += tracker.update(slo, status, at: t) { engine.alertContext(slo, status, inputs: given) }
                } catch {
                    failures.append("\(slo.name): \(error.message)")
                }
            }
        }
        return (statuses, changes, failures)
    }
}
