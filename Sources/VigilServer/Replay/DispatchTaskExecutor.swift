import Dispatch

/// Runs tasks that prefer it on a dispatch queue instead of the cooperative pool, so long CPU-bound work (an
/// as-of replay) does not hold one of the few threads every request shares.
final class DispatchTaskExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) { queue = DispatchQueue(label: label, qos: .utility, attributes: .concurrent) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
