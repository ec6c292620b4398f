import Foundation
import VigilCore

/// SLO definitions, alerts (live and resolved, so the lifecycle survives a restart) and the outbox of
/// notifications, each written before the request (or evaluation) that made it is done.
public protocol AlertStore: Sendable {
    /// Stores (or replaces) a definition, with its entry on the model's change timeline if it changed.
    func saveSLO(_ slo: SLODefinition, at time: Timestamp) async throws

    /// Stores definitions (at start, before the server takes requests).
    func saveSLOs(_ slos: [SLODefinition], at time: Timestamp) async throws

    /// Every definition, by name.
    func slos() async throws -> [SLODefinition]

    /// Deletes an SLO, with its entry on the model's change timeline; returns whether there was one.
    @discardableResult
    func deleteSLO(_ name: String, at time: Timestamp) async throws -> Bool

    /// Saves alerts and queues their notifications in one transaction (a message whose key is queued already
    /// is not queued again).
    func saveAlerts(_ alerts: [Alert], notifying messages: [OutboxMessage]) async throws

    /// Alerts, most recently updated first, at most `limit`.
    func alerts(states: Set<Alert.State>?, slo: String?, limit: Int) async throws -> [Alert]

    /// Drops resolved alerts last updated before `cutoff`; returns how many.
    @discardableResult
    func pruneAlerts(resolvedBefore cutoff: Timestamp) async throws -> Int

    /// Messages due at `now`, oldest first, at most `limit`.
    func dueMessages(at now: Timestamp, limit: Int) async throws -> [OutboxMessage]

    /// The earliest time a queued message is due, if any.
    func nextMessageDue() async throws -> Timestamp?

    /// Messages still queued.
    func outboxCount() async throws -> Int

    /// Removes a delivered (or abandoned) message.
    func removeMessage(_ id: Int64) async throws

    /// Records a failed attempt and when to try again.
    func retryMessage(_ id: Int64, attempts: Int, at next: Timestamp) async throws
}

extension AlertStore {
    /// Inserts or updates alerts in one transaction.
    public func saveAlerts(_ alerts: [Alert]) async throws { try await saveAlerts(alerts, notifying: []) }

    /// Alerts, most recently updated first: the live ones (pending, firing) and the newest resolved ones.
    public func alerts(states: Set<Alert.State>? = nil, slo: String? = nil) async throws -> [Alert] {
        try await alerts(states: states, slo: slo, limit: 1000)
    }

    /// Up to 100 messages due at `now`.
    public func dueMessages(at now: Timestamp) async throws -> [OutboxMessage] {
        try await dueMessages(at: now, limit: 100)
    }
}
