import HTTPTypes
import Logging
import ServiceLifecycle
import VigilCore
import VigilStore

/// The alert loop: every `alertInterval` it evaluates every SLO at the server clock, moves each alert
/// along pending → firing → resolved, stores the alerts durably, and hands notifications to the notifier.
///
/// Live alerts are reloaded from the store on start, so a restart neither forgets a firing alert nor
/// notifies it twice.
struct AlertService: Service {
    let slos: LiveSLOs
    let log: any Store
    let notifier: AlertNotifier
    let configuration: ServerConfiguration
    let logger: Logger
    let clock: @Sendable () -> Timestamp
    /// Only the writer (or the only node) evaluates and notifies, so nothing pages twice.
    let cluster: ClusterState

    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await notifier.run() }
            await loop()
            notifier.finish()
        }
    }

    private func loop() async {
        guard await waitUntilReady() else { return }
        var tracker = AlertTracker()
        var term = -1
        var lastRefresh: Timestamp?
        var lastPrune: Timestamp?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let state = cluster.current
            guard state.role != .follower else {
                guard await sleepUnlessShuttingDown(for: .seconds(1)) else { break }
                continue
            }
            if state.terms != term {
                // Starting, or this node just became the writer: what another node tracked is in the store.
                term = state.terms
                tracker = await loadTracker()
                lastRefresh = nil
            }
            let now = clock()
            await evaluate(at: now, &tracker)
            if lastRefresh.map({ now - configuration.notifications.alertmanagerResendInterval >= $0 }) ?? true {
                notifier.refresh(tracker.active.values.filter { $0.state == .firing }.sorted { $0.id < $1.id })
                lastRefresh = now
            }
            if lastPrune.map({ now - .seconds(3600) >= $0 }) ?? true {
                _ = try? await log.pruneAlerts(resolvedBefore: now - configuration.alertRetention)
                lastPrune = now
            }
            guard await sleepUnlessShuttingDown(for: configuration.alertInterval) else { break }
        }
    }

    /// The live alerts as stored (pending, firing), so a restart or a new writer neither forgets a firing alert
    /// nor notifies it twice.
    private func loadTracker() async -> AlertTracker {
        do {
            return AlertTracker(active: try await log.alerts(states: [.pending, .firing]))
        } catch {
            logger.error("could not load alerts; starting with none", metadata: ["error": "\(error)"])
            return AlertTracker()
        }
    }

    /// One evaluation: statuses, transitions, durable alert states, notifications.
    func evaluate(at now: Timestamp, _ tracker: inout AlertTracker) async {
        let changes: [AlertTransition]
        do {
            let result = try await slos.evaluateAll(at: now, tracker: &tracker)
            changes = result.changes
            for failure in result.failures {
                logger.warning("SLO not evaluated", metadata: ["error": "\(failure)"])
            }
        } catch {
            logger.warning("SLO evaluation failed", metadata: ["error": "\(error.message)"])
            return
        }
        // Transitions first (resolved alerts leave the tracker), then the live alerts' new `updated_at`.
        let touched = changes.map(\.alert) + tracker.active.values.sorted { $0.id < $1.id }
        // The notifications are stored with the alerts, in one transaction: neither is kept without the other.
        let messages = changes.filter(\.notifies).flatMap { notifier.messages(for: $0) }
        do {
            try await log.saveAlerts(touched, notifying: messages)
        } catch {
            logger.error("could not store alerts", metadata: ["error": "\(error)"])
        }
        for change in changes {
            logger.info(
                "alert \(change.to.rawValue)",
                metadata: ["alert": "\(change.alert.id)", "severity": "\(change.alert.severity)"])
        }
        if !messages.isEmpty { notifier.wake() }
    }

    private func waitUntilReady() async -> Bool {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if case .ready = slos.host.phase { return true }
            if case .failed = slos.host.phase { return false }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
