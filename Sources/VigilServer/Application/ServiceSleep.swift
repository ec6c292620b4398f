import ServiceLifecycle

/// Sleeps between rounds of a periodic service; returns `false` instead, at once, when the service group
/// begins a graceful shutdown or the task is cancelled, so the loop can end.
func sleepUnlessShuttingDown(for interval: Duration) async -> Bool {
    guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return false }
    do {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        return true
    } catch {
        return false
    }
}
