import Dispatch
import Foundation
import Synchronization
import VigilCore

/// Threads that run the engine's shards side by side: the caller runs shard 0 (and every `n`-th after it),
/// each of `n − 1` long-lived workers its own share.
///
/// Shards are given to threads by number, not taken from a shared counter as `concurrentPerform` does: a
/// run of a batch is a few hundred microseconds of work, about what waking a thread costs, so with a shared
/// counter the caller often finishes every shard before a worker wakes. A worker that just finished spins
/// briefly before it sleeps, so the next run of a busy stream finds it awake.
public final class ShardWorkers: Sendable {
    private final class Lane: @unchecked Sendable {
        let wake = DispatchSemaphore(value: 0)
        /// Runs posted so far; the worker runs each once.
        let posted = Atomic<Int>(0)
        /// Set before `posted` moves; read by the worker after it sees the move.
        var job: (@Sendable () -> Void)?
    }

    private let lanes: [Lane]
    private let done = DispatchSemaphore(value: 0)
    /// Runs do not overlap (the engine has one writer), but a lock keeps a misuse from mixing them.
    private let running = Mutex(())
    /// Spin iterations a worker waits for the next run before it sleeps (about 50 µs).
    private static let spins = 20_000

    /// Workers for `count` threads in all (the caller included): one per core by default.
    public init(threads count: Int = ServerConfiguration.defaultShards) {
        lanes = (1..<max(1, count)).map { _ in Lane() }
        for lane in lanes {
            let done = self.done
            let thread = Thread {
                var seen = 0
                while true {
                    var spun = 0
                    while lane.posted.load(ordering: .acquiring) == seen {
                        spun += 1
                        if spun >= Self.spins {
                            lane.wake.wait()
                            spun = 0
                        }
                    }
                    seen += 1
                    lane.job?()
                    done.signal()
                }
            }
            thread.name = "vigil-shard"
            thread.start()
        }
    }

    /// Runs `body(k)` for `k` in `0..<count`, shard `k` on thread `k % threads`; returns when all are done.
    public func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        running.withLock { _ in
            let threads = min(count, lanes.count + 1)
            for w in 1..<max(1, threads) {
                let lane = lanes[w - 1]
                lane.job = {
                    var k = w
                    while k < count {
                        body(k)
                        k += threads
                    }
                }
                lane.posted.add(1, ordering: .releasing)
                lane.wake.signal()
            }
            var k = 0
            while k < count {
                body(k)
                k += max(1, threads)
            }
            for _ in 1..<max(1, threads) { done.wait() }
            // The body must not outlive the call (the runner passes a non-escaping one).
            for w in 1..<max(1, threads) { lanes[w - 1].job = nil }
        }
    }

    /// The process's runner: one shard per core, for ingest, recovery, replay and benchmarks alike.
    public static let onCores: Engine.ShardRunner = ShardWorkers().runner

    /// This pool as the engine's shard runner.
    public var runner: Engine.ShardRunner {
        { [self] count, body in
            // `run` returns only once every shard is done, so the body does not outlive the call.
            withoutActuallyEscaping(body) { body in run(count, body) }
        }
    }
}
