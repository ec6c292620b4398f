import Dispatch

/// Runs tasks that prefer it on a dispatch queue instead of the cooperative pool, so long CPU-bound work (an
/// as-of replay, a shard snapshot) does not hold one of the few threads every request shares, and work that
/// must keep its time (a cluster node's lease renewals) does not wait for one.
final class DispatchTaskExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(label: String, qos: DispatchQoS = .utility) {
        queue = DispatchQueue(label: label, qos: qos, attributes: .concurrent)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
