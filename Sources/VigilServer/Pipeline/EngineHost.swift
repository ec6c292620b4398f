import Synchronization
import VigilCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The engine shared by request handlers, behind one lock, and the server's readiness.
///
/// Mutations come only from ``IngestPipeline`` (in log order); queries take the lock for the few
/// microseconds a window merge needs.
///
/// Readers go first: the lock is not fair, and the ingest pipeline applying batch after batch would
/// otherwise take it again before a woken query runs. ``mutateAfterReaders(_:)`` lets waiting readers in
/// before it takes the lock, and the pipeline applies a large batch in chunks, so a query waits for at most
/// one chunk.
public final class EngineHost: Sendable {
    /// Where the server is in its life.
    public enum Phase: Sendable, Equatable {
        /// Rebuilding state from the snapshot and log: (entries replayed, entries to replay).
        case recovering(replayed: Int, total: Int)
        case ready
        /// A commit failed (disk full, read-only directory): the engine was rebuilt from the durable log, queries
        /// are answered, writes get 503 until a probe write succeeds again.
        case degraded(String)
        /// The engine may hold what was never committed (a commit failed) and could not be rebuilt from the log:
        /// storage cannot be read. Nothing is served; the rebuild is retried every second until it succeeds.
        case unavailable(String)
        /// Recovery itself failed: nothing is served until a restart.
        case failed(String)
    }

    private let engine: Mutex<Engine>
    /// Readers waiting for the lock.
    private let waitingReaders = Atomic<Int>(0)
    private let phaseState = Mutex<Phase>(.recovering(replayed: 0, total: 0))

    public init(_ engine: Engine) { self.engine = Mutex(engine) }

    public var phase: Phase {
        get { phaseState.withLock { $0 } }
        set { phaseState.withLock { $0 = newValue } }
    }

    /// Reads the engine under the lock.
    public func read<T: Sendable, E: Error>(_ body: (borrowing Engine) throws(E) -> T) throws(E) -> T {
        waitingReaders.add(1, ordering: .relaxed)
        return try engine.withLock { (e: inout Engine) throws(E) -> T in
            waitingReaders.subtract(1, ordering: .relaxed)
            return try body(e)
        }
    }

    /// Runs an engine query under the lock; a query error becomes its HTTP form (404 unknown, 400 bad).
    func query<T: Sendable>(_ body: (borrowing Engine) throws(QueryError) -> T) throws(APIError) -> T {
        try read { (engine) throws(APIError) -> T in
            do throws(QueryError) {
                return try body(engine)
            } catch {
                throw error.api
            }
        }
    }

    /// Mutates the engine under the lock.
    func mutate<T: Sendable, E: Error>(_ body: (inout Engine) throws(E) -> T) throws(E) -> T {
        try engine.withLock { (e: inout Engine) throws(E) -> T in try body(&e) }
    }

    /// Mutates the engine under the lock once the readers waiting for it have had it (yielding the CPU to them
    /// for at most `patience`).
    func mutateAfterReaders<T: Sendable>(
        patience: Duration = .milliseconds(2), _ body: (inout Engine) -> T
    ) -> T {
        if waitingReaders.load(ordering: .relaxed) > 0 {
            let clock = ContinuousClock()
            let deadline = clock.now + patience
            while waitingReaders.load(ordering: .relaxed) > 0 && clock.now < deadline { sched_yield() }
        }
        return engine.withLock { body(&$0) }
    }

    /// A copy of the engine (constant time: the state is copy-on-write).
    func copy() -> Engine { engine.withLock { $0 } }

    func replace(with new: Engine) {
        engine.withLock { $0 = new }
    }

    /// Throws 503 unless the server has recovered and is healthy.
    func requireReady() throws(APIError) {
        switch phase {
        case .ready: return
        case .recovering(let replayed, let total):
            throw .unavailable("recovering state from the log (\(replayed) of \(total) entries); retry shortly")
        case .failed(let reason):
            throw .unavailable("the server stopped accepting requests after a storage failure: \(reason); restart it")
        case .degraded:
            return  // queries are answered from the durable state; writes are refused by the pipeline
        case .unavailable(let reason):
            throw .unavailable(
                "\(reason); the state is rebuilt from the log as soon as storage can be read: retry shortly")
        }
    }
}
