import Synchronization

/// A lock that may be held across suspension points (a store write between a check and its record): callers
/// run one at a time, in the order they arrived. Waiters suspend; no thread blocks.
final class AsyncLock: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    /// Runs `body` while holding the lock.
    func withLock<T, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { s in
                if s.held {
                    s.waiters.append(waiter)
                    return false
                }
                s.held = true
                return true
            }
            if granted { waiter.resume() }
        }
    }

    /// Hands the lock to the oldest waiter, or frees it.
    private func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard !s.waiters.isEmpty else {
                s.held = false
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }
}
