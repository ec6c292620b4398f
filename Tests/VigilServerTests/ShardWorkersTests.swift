import Foundation
import Synchronization
import Testing
import VigilServer

/// The shard runner runs every shard exactly once per run, on more than one thread, and returns only when
/// all are done.
@Suite struct ShardWorkersTests {
    @Test(arguments: [1, 2, 3, 7]) func everyShardRunsOncePerRun(threads: Int) {
        let workers = ShardWorkers(threads: threads)
        for count in [1, 2, 5, 7] {
            for _ in 0..<200 {
                let runs = Mutex([Int](repeating: 0, count: count))
                workers.run(count) { k in runs.withLock { $0[k] += 1 } }
                // Every shard is done when `run` returns.
                #expect(runs.withLock { $0 } == [Int](repeating: 1, count: count))
            }
        }
    }

    @Test func shardsRunOnSeparateThreads() {
        let workers = ShardWorkers(threads: 2)
        let threads = Mutex(Set<String>())
        for _ in 0..<50 {
            workers.run(2) { _ in
                let name = "\(Unmanaged.passUnretained(Thread.current).toOpaque())"
                threads.withLock { _ = $0.insert(name) }
            }
        }
        #expect(threads.withLock { $0.count } >= 2)
    }
}
