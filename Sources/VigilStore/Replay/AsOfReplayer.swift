import Synchronization
import VigilCore

/// The one way Vigil answers "as of T" from the log: `asOf` metric queries, SLO status `?at=`, and SLO
/// backtests.
///
/// The state as of T is an empty engine (with the model declarations and custom metric definitions in force)
/// after every retained event at or before T, in ``ReplayCursor`` order: predictions by event time, feedback
/// by arrival time. A replay starts from the nearest saved checkpoint at or before T instead of the
/// beginning, reads only the log batches whose event times meet `(checkpoint, T]`, and saves the checkpoints
/// it passes (see ``AsOfCheckpoints``). So a query replays the events between the checkpoint and T — about
/// one `spacing` of traffic once checkpoints exist — whatever the length of the log.
///
/// A checkpoint is dropped when the log changes what it holds: an event logged later with a time at or
/// before it, a control entry (declaration, definition, removal), or retention.
///
/// Custom-metric backfill rebuilds the live state instead (``EngineRebuilder``): that is the log in the order
/// it was written, not in event time.
///
/// ```swift
/// let replayer = AsOfReplayer(log: log, configuration: config)
/// let (engine, report) = try replayer.engine(asOf: t)
/// report.replayedEvents   // events applied after the checkpoint it started from
/// ```
public final class AsOfReplayer: Sendable {
    public let log: any Store
    public let configuration: EngineConfiguration
    private let checkpoints: Mutex<AsOfCheckpoints>

    /// What one replay did.
    public struct Report: Sendable, Hashable {
        /// The checkpoint the replay started from (`nil`: the beginning of the retained log).
        public var checkpoint: Timestamp?
        /// Events applied to the engine.
        public var replayedEvents = 0
        /// Log batches whose bodies were read, of the batches in the log.
        public var batchesRead = 0
        public var batches = 0
        public var checkpointsSaved = 0
    }

    /// - Parameters:
    ///   - spacing: checkpoints sit on multiples of this (UTC days by default).
    ///   - capacity: checkpoints kept in memory; each holds an engine (0 replays from the beginning every time).
    public init(
        log: any Store, configuration: EngineConfiguration, spacing: Duration = .seconds(86_400), capacity: Int = 4
    ) {
        self.log = log
        self.configuration = configuration
        checkpoints = Mutex(AsOfCheckpoints(spacing: spacing, capacity: capacity))
    }

    /// The state as of `t`.
    public func engine(
        asOf t: Timestamp, progress: (Int, Int) -> Void = { _, _ in }
    ) async throws -> (engine: Engine, report: Report) {
        var out: Engine?
        let report = try await replay(through: [t], progress: progress) { _, engine in out = engine }
        return (out!, report)
    }

    /// Replays to each of `times` (ascending) and hands `visit` the state as of each.
    ///
    /// - Parameter progress: called with (events replayed, events to replay) every 250,000 events.
    public func replay(
        through times: [Timestamp], progress: (Int, Int) -> Void = { _, _ in },
        visit: (Timestamp, borrowing Engine) throws -> Void
    ) async throws -> Report {
        guard let first = times.first, let last = times.last else { return Report() }
        var start = try await validCheckpoint(atOrBefore: first)
        var history = try await LogHistory(log: log, after: start?.time, through: last)
        if start != nil && history.removalAfterEvents {
            start = nil
            history = try await LogHistory(log: log, after: nil, through: last)
        }
        var report = Report(
            checkpoint: start?.time, batchesRead: history.read.batchesRead, batches: history.read.batches)
        let engine = start?.engine ?? history.startEngine(configuration)
        // No checkpoint before the first event: it would hold nothing.
        let after = start?.time ?? history.earliest.map { $0 - .milliseconds(1) } ?? last
        let saves = checkpoints.withLock { $0.boundaries(after: after, through: last) }
        var replay = Replay(
            cursor: ReplayCursor(predictions: history.predictions, feedback: history.feedback), engine: engine,
            total: history.events)
        // Steps and checkpoint times, merged: the cursor stops at each.
        var s = saves.startIndex
        for t in times {
            while s < saves.endIndex, saves[s] <= t {
                replay.advance(through: saves[s], progress)
                let checkpoint = AsOfCheckpoints.Checkpoint(
                    time: saves[s], sequence: history.read.last, first: history.read.first, engine: replay.engine)
                checkpoints.withLock { $0.insert(checkpoint) }
                report.checkpointsSaved += 1
                s += 1
            }
            replay.advance(through: t, progress)
            try visit(t, replay.engine)
        }
        let result = replay.result
        report.replayedEvents = result.applied
        return report
    }

    /// The nearest checkpoint at or before `t` that the log still agrees with; stale ones are dropped.
    private func validCheckpoint(atOrBefore t: Timestamp) async throws -> AsOfCheckpoints.Checkpoint? {
        while let c = checkpoints.withLock({ $0.nearest(atOrBefore: t) }) {
            if try await !log.changedHistory(after: c.sequence, first: c.first, atOrBefore: c.time) { return c }
            checkpoints.withLock { $0.removeAll { $0.time == c.time && $0.sequence == c.sequence } }
        }
        return nil
    }

    /// A cursor replaying into an engine, that reports progress every `progressInterval` events.
    private struct Replay {
        var cursor: ReplayCursor
        var engine: Engine
        let total: Int
        var result = EventReplay.Result()
        static let progressInterval = 250_000

        mutating func advance(through t: Timestamp, _ progress: (Int, Int) -> Void) {
            while !cursor.advance(through: t, into: &engine, result: &result, atMost: Self.progressInterval) {
                progress(result.applied, total)
            }
        }
    }

    /// Checkpoints held now, for tests.
    public var checkpointTimes: [Timestamp] { checkpoints.withLock { $0.all.map(\.time) } }
}
