import HTTPTypes
import Hummingbird
import Logging
import VigilCore
import VigilStore

/// As-of replays for the routes (`asOf` metrics, SLO `?at=` and backtests): run on their own executor rather
/// than the cooperative pool requests share, which a long replay would hold; long ones log their progress.
struct AsOfReplays: Sendable {
    let replayer: AsOfReplayer
    let logger: Logger
    /// Where replays run (a dispatch queue): the store's reads are async, the replay between them is CPU-bound.
    static let executor = DispatchTaskExecutor(label: "vigil.as-of-replays")

    /// Runs `work` with the replayer off the request's executor. Store failures become a 500.
    func run<T: Sendable>(
        _ what: String,
        _ work: @escaping @Sendable (AsOfReplayer, _ progress: (Int, Int) -> Void) async throws -> T
    ) async throws(APIError) -> T {
        let (replayer, logger) = (replayer, logger)
        let progress = { (replayed: Int, total: Int) in
            logger.info("as-of replay", metadata: ["for": "\(what)", "replayed": "\(replayed)", "total": "\(total)"])
        }
        do {
            return try await withTaskExecutorPreference(Self.executor) { try await work(replayer, progress) }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.internalServerError, "storage_failed", "could not read the event log: \(error)")
        }
    }

    /// The header that tells a client what an as-of answer cost: events replayed, the checkpoint it started
    /// from, and the log batches read.
    static let header = HTTPField.Name("Vigil-Replay")!

    static func describe(_ report: AsOfReplayer.Report) -> String {
        "events=\(report.replayedEvents); checkpoint=\(report.checkpoint?.iso8601 ?? "none"); "
            + "batches=\(report.batchesRead)/\(report.batches)"
    }
}

extension Response {
    /// This response with the cost of the as-of replay behind it.
    func replayed(_ report: AsOfReplayer.Report) -> Response {
        var r = self
        r.headers[AsOfReplays.header] = AsOfReplays.describe(report)
        return r
    }
}
