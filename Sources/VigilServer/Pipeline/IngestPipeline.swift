import Foundation
import HTTPTypes
import Logging
import VigilCore
import VigilStore

/// The single writer: applies batches to the engine in order and commits them to the log with group commit.
///
/// A batch is applied to the engine and given the next log sequence number at once, on this actor, so the
/// log order is the engine's order. The first batch to arrive while no commit is running becomes the
/// *leader*: it commits its record, then every record that queued meanwhile, in one transaction per round —
/// one fsync for many requests. A request returns only after its record is durable. Only accepted,
/// state-changing events are logged, so replaying the log rebuilds the same engine.
public actor IngestPipeline {
    let host: EngineHost
    let log: any Store
    let logger: Logger
    /// Events with a time further than this past the server clock are rejected: the newest event time
    /// drives eviction, so one far-future row would evict everything pending.
    let maxFutureSkew: Duration

    private var lastApplied: Int64 = 0
    private(set) var lastCommitted: Int64 = 0
    private var committing = false
    private var queue: [Waiting] = []
    private var paused = false
    private var pausedWaiters: [CheckedContinuation<Void, Never>] = []
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// Why writes are refused: a commit failed and storage has not taken a write since.
    private var failure: String?
    /// Whether this node commits writes: false on a follower node (another node holds the writer lease).
    private var writable = true
    /// Whether the cluster's loop rebuilds the engine after a failed commit (see ``leaveRebuildsToCluster()``).
    private var clusterRebuilds = false

    struct Pending: Sendable {
        var record: LogRecord
        var updates: [StoreUpdate] = []
    }

    struct Waiting {
        var pending: Pending
        var continuation: CheckedContinuation<Void, any Error>
    }

    public init(host: EngineHost, log: any Store, logger: Logger, maxFutureSkew: Duration) {
        self.host = host
        self.log = log
        self.logger = logger
        self.maxFutureSkew = maxFutureSkew
    }

    /// Sets the log position after recovery (or, on a node becoming the writer, after catching up).
    func start(after sequence: Int64) {
        lastApplied = sequence
        lastCommitted = sequence
        writable = true
    }

    /// Stops committing (this node lost the writer lease); returns once no commit is running.
    func stopWriting() async {
        writable = false
        await waitUntilIdle()
    }

    // MARK: - Events

    /// Applies and commits a batch of predictions; returns once the accepted rows are durable.
    package func ingest(_ batch: DecodedBatch<Prediction>, encoded: EncodedBatch, now: Timestamp) async throws(APIError)
        -> IngestSummary
    {
        try await ingest(batch, encoded: encoded, now: now) { engine, rows, placements in
            engine.ingest(rows, run: ShardWorkers.onCores, placements: &placements)
        }
    }

    /// Applies and commits a batch of feedback; returns once the accepted rows are durable.
    package func ingest(_ batch: DecodedBatch<Feedback>, encoded: EncodedBatch, now: Timestamp) async throws(APIError)
        -> IngestSummary
    {
        try await ingest(batch, encoded: encoded, now: now) { engine, rows, placements in
            engine.ingest(rows, run: ShardWorkers.onCores, placements: &placements)
        }
    }

    private func ingest<Event: Sendable & Timed>(
        _ batch: DecodedBatch<Event>, encoded: EncodedBatch, now: Timestamp,
        _ apply: (inout Engine, [Event], inout [Int]) -> [Result<IngestOutcome, EventError>]
    ) async throws(APIError) -> IngestSummary {
        await waitWhilePaused()
        try checkHealthy()
        var summary = IngestSummary()
        summary.rejected = batch.rejections
        let latest = now + maxFutureSkew
        var keep: [Int] = []
        var newest = Int64.min
        var oldest = Int64.max
        var admitted: [Int] = []
        for (k, event) in batch.events.enumerated() {
            guard event.time <= latest else {
                summary.rejected.append(
                    RowRejection(
                        index: batch.indices[k], field: "ts", code: "future_timestamp",
                        message: "ts \(event.time.iso8601) is more than \(maxFutureSkew) ahead of the server clock"))
                continue
            }
            admitted.append(k)
        }
        let rows = admitted.count == batch.events.count ? batch.events : admitted.map { batch.events[$0] }
        var results: [Result<IngestOutcome, EventError>] = []
        results.reserveCapacity(rows.count)
        // Each row's shard if it changed only that shard (and the watermark), else -1 (see `Engine.ingest`).
        var placements: [Int] = []
        var folded = 0
        var ownsPart = false
        var partitioned = false
        // In chunks, letting waiting queries in between: a query waits for one chunk, not a whole batch.
        for start in stride(from: 0, to: rows.count, by: Self.applyChunk) {
            let end = min(start + Self.applyChunk, rows.count)
            let chunk = start == 0 && end == rows.count ? rows : Array(rows[start..<end])
            host.mutateAfterReaders { engine in
                let foldedBefore = engine.statistics.segmentValuesFolded
                // A writer owning every shard decides each row as a lone server does.
                engine.decidesAlone = true
                defer { engine.decidesAlone = false }
                ownsPart = engine.ownsPart
                partitioned = engine.isPartitioned
                var placed: [Int] = []
                results += apply(&engine, chunk, &placed)
                placements += placed
                folded += engine.statistics.segmentValuesFolded - foldedBefore
            }
        }
        if folded > 0 { summary.outcomes[IngestSummary.segmentFolded] = folded }
        var keptShards: [Int] = []
        for (i, (k, result)) in zip(admitted, results).enumerated() {
            switch result {
            case .success(let outcome):
                summary.count(outcome)
                // A node owning part of the shards logs every row it accepted: the owners decide what it does.
                if ownsPart || (outcome != .duplicate && outcome != .stale) {
                    keep.append(k)
                    keptShards.append(placements[i])
                    newest = max(newest, batch.events[k].time.milliseconds)
                    oldest = min(oldest, batch.events[k].time.milliseconds)
                }
            case .failure(let error):
                summary.rejected.append(
                    RowRejection(
                        index: batch.indices[k], field: error.field, code: error.code.rawValue, message: error.message))
            }
        }
        summary.rejected.sort { $0.index < $1.index }
        guard !keep.isEmpty else { return summary }
        var record = LogRecord(
            sequence: nextSequence(), entries: keep.count, newestEvent: Timestamp(milliseconds: newest),
            oldestEvent: Timestamp(milliseconds: oldest), body: [])
        // Nodes owning part of the shards each read the barriers and their own shards' rows.
        if partitioned,
            let split = LogSplit.split(
                encoded.slices(keep), shards: keptShards, newest: Timestamp(milliseconds: newest))
        {
            record.body = split.header
            record.parts = split.parts
            record.entries = keep.count + 1  // and the header's closing watermark
        } else {
            record.body = keep.count == batch.events.count ? encoded.bytes : encoded.select(keep)
        }
        try await commit(Pending(record: record))
        return summary
    }

    /// Rows applied under one hold of the engine lock.
    static let applyChunk = 512

    private func nextSequence() -> Int64 {
        lastApplied += 1
        return lastApplied
    }

    private func checkHealthy() throws(APIError) {
        guard writable else {
            throw .unavailable("this node does not hold the writer lease; send writes to the writer (GET /v1/cluster)")
        }
        if let failure {
            throw .unavailable(
                "storage is failing (\(failure)); writes resume by themselves once it takes writes again (free disk space?)"
            )
        }
    }

    // MARK: - Group commit

    private func commit(_ pending: Pending) async throws(APIError) {
        if committing {
            do {
                try await withCheckedThrowingContinuation { queue.append(Waiting(pending: pending, continuation: $0)) }
            } catch {
                throw .unavailable("the batch could not be committed (\(Self.reason(error))); retry later")
            }
            return
        }
        committing = true
        defer {
            committing = false
            resumeIdleWaiters()
        }
        var group = [pending]
        var waiters: [CheckedContinuation<Void, any Error>] = []
        var mine: (any Error)?
        var first = true
        while true {
            do {
                let records = group.map(\.record)
                try await log.append(records, updates: group.flatMap(\.updates))
                lastCommitted = records.last!.sequence
                for w in waiters { w.resume() }
            } catch {
                // Everything applied after the last commit is in the engine but not durable: refuse it all,
                // then rebuild the engine from the log, so the state answers only what was acknowledged.
                for w in waiters + queue.map(\.continuation) { w.resume(throwing: error) }
                queue = []
                if first { mine = error }
                await degrade(error)
                break
            }
            first = false
            if queue.isEmpty { break }
            group = queue.map(\.pending)
            waiters = queue.map(\.continuation)
            queue = []
        }
        if let mine { throw .unavailable("the batch could not be committed (\(Self.reason(mine))); retry later") }
    }

    /// A commit failed: refuse writes, and rebuild the engine from what is durable (nothing is served until then:
    /// the engine holds what was never committed). On a node of a cluster, the cluster's loop rebuilds it.
    private func degrade(_ error: any Error) async {
        let reason = Self.reason(error)
        failure = reason
        host.phase = .unavailable("a commit failed (\(reason)); rebuilding the state from the log")
        logger.error("log commit failed; refusing writes until storage recovers", metadata: ["error": "\(reason)"])
        if !clusterRebuilds { await rebuildFromLog() }
    }

    /// On a node sharing the store with others, the cluster's loop rebuilds the engine after a failed commit (it
    /// alone moves the node's log position), not the pipeline.
    func leaveRebuildsToCluster() { clusterRebuilds = true }

    /// A rebuilder of the live engine from the log: its configuration, and the shards it owns.
    private nonisolated static func rebuilder(_ log: any Store, _ host: EngineHost) -> EngineRebuilder {
        let (configuration, owned) = host.read { ($0.configuration, $0.ownedShards) }
        var rebuilder = EngineRebuilder(log: log, configuration: configuration)
        rebuilder.owned = owned
        return rebuilder
    }

    /// Rebuilds the engine from the log; if storage cannot be read, nothing is served until a retry succeeds
    /// (``probeStorage()``).
    private func rebuildFromLog() async {
        do {
            let result = try await Self.rebuilder(log, host).recover()
            host.replace(with: result.engine)
            lastApplied = result.sequence
            lastCommitted = result.sequence
            host.phase = .degraded(failure ?? "storage failed")
        } catch {
            let reason = "storage cannot be read (\(Self.reason(error)))"
            if case .unavailable(let said) = host.phase, said == reason { return }  // still down: said once
            host.phase = .unavailable(reason)
            logger.error(
                "could not rebuild the state from the log after a failed commit; retrying every second",
                metadata: ["error": "\(Self.reason(error))"])
        }
    }

    /// After a failed commit: rebuilds the state if it could not be (on the node taking writes; a follower's is
    /// rebuilt by the cluster's loop), then whether storage takes writes again (a probe write), and if so, writes
    /// resume. The maintenance service calls it every second while writes are refused.
    func probeStorage() async {
        guard !committing else { return }
        if case .unavailable = host.phase {
            guard !clusterRebuilds else { return }
            await rebuildFromLog()
        }
        guard case .degraded = host.phase else { return }
        if failure != nil {
            do {
                try await log.probeWrite()
            } catch {
                return
            }
            failure = nil
        }
        host.phase = .ready
        logger.notice("storage takes writes again; accepting writes")
    }

    /// A storage error as a person reads it (the store's ``StorageError`` carries the backend's code and message).
    static func reason(_ error: any Error) -> String { String(describing: error) }

    // MARK: - Pausing (backfill)

    private func waitWhilePaused() async {
        while paused { await withCheckedContinuation { pausedWaiters.append($0) } }
    }

    private func waitUntilIdle() async {
        while committing || !queue.isEmpty { await withCheckedContinuation { idleWaiters.append($0) } }
    }

    private func resumeIdleWaiters() {
        let waiters = idleWaiters
        idleWaiters = []
        for w in waiters { w.resume() }
    }

    // MARK: - Custom metrics

    /// Defines a custom metric: validated, logged, then (with `backfill`) computed over the stored log.
    ///
    /// A backfill pauses ingest while the engine is rebuilt from the base snapshot and the log.
    public func defineMetric(model: String, name: String, expression: String, backfill: Bool, now: Timestamp)
        async throws(APIError) -> StoredMetricDefinition
    {
        await waitWhilePaused()
        try checkHealthy()
        paused = true
        defer { resume() }
        await waitUntilIdle()
        // Validate on a copy so a bad definition leaves the engine untouched.
        var trial = host.copy()
        do {
            try trial.defineMetric(name, on: model, expression)
        } catch {
            throw APIError(.badRequest, error.code.rawValue, error.message)
        }
        let sequence = nextSequence()
        let definition = StoredMetricDefinition(
            model: model, name: name, expression: expression, backfill: backfill, sequence: sequence, definedAt: now)
        var body: [UInt8] = []
        LogCodec.encode(
            .defineMetric(model: model, name: name, expression: expression, backfill: backfill), into: &body)
        let record = LogRecord(sequence: sequence, entries: 1, newestEvent: nil, oldestEvent: nil, body: body)
        try await commit(
            Pending(
                record: record,
                updates: [.saveMetric(definition)]
                    + (backfill ? [.setting(key: StoreSettings.rebuildSequence, value: sequence)] : [])
                    + [
                        .changes([
                            .customMetric(model: model, name: name, expression: expression, backfill: backfill, at: now)
                        ])
                    ]
            ))
        if backfill {
            let started = ContinuousClock.now
            do {
                var rebuilder = Self.rebuilder(log, host)
                let logger = self.logger
                rebuilder.progress = { done, total in
                    logger.info("backfill: replaying log", metadata: ["replayed": "\(done)", "total": "\(total)"])
                }
                let result = try await rebuilder.rebuildFromBase()
                host.replace(with: result.engine)
                logger.info(
                    "backfilled custom metric",
                    metadata: [
                        "model": "\(model)", "metric": "\(name)", "entries": "\(result.replayedEntries)",
                        "base": "\(result.fromSnapshot.map(String.init) ?? "none")",
                        "duration": "\(ContinuousClock.now - started)",
                    ])
            } catch {
                await degrade(error)
                throw .unavailable("backfill failed: \(error)")
            }
        } else {
            _ = host.mutate {
                $0.apply(.defineMetric(model: model, name: name, expression: expression, backfill: false))
            }
        }
        return definition
    }

    /// Deletes a custom metric.
    public func deleteMetric(model: String, name: String, at now: Timestamp) async throws(APIError) {
        await waitWhilePaused()
        try checkHealthy()
        let exists = host.read { $0.metricDefinition(name, on: model) != nil }
        guard exists else {
            throw APIError(.notFound, "unknown_metric", "model '\(model)' has no custom metric '\(name)'")
        }
        _ = host.mutate { $0.apply(.deleteMetric(model: model, name: name)) }
        var body: [UInt8] = []
        LogCodec.encode(.deleteMetric(model: model, name: name), into: &body)
        let record = LogRecord(sequence: nextSequence(), entries: 1, newestEvent: nil, oldestEvent: nil, body: body)
        try await commit(
            Pending(
                record: record,
                updates: [
                    .deleteMetric(model: model, name: name),
                    .changes([.customMetric(model: model, name: name, expression: nil, at: now)]),
                ]))
    }

    /// Declares a model's task (and multiclass class order) durably, before its first prediction or in
    /// agreement with it. A model already of another task is a 409: delete it to start over.
    public func declareModel(_ model: String, task: ModelTask, classes: [String]) async throws(APIError) {
        await waitWhilePaused()
        try checkHealthy()
        let entry = LogEntry.declareModel(model: model, task: task, classes: classes)
        do throws(QueryError) {
            try host.mutate { (engine) throws(QueryError) in
                try engine.declare(model: model, task: task, classes: classes)
            }
        } catch  where error.code == .taskConflict {
            throw APIError(
                .conflict, "task_conflict",
                "\(error.message) (declared, or inferred from its first prediction); delete it (DELETE /v1/models/\(model.prefix(64))) to start over as \(task.rawValue)"
            )
        } catch {
            throw .badRequest("invalid_model", error.message)
        }
        var body: [UInt8] = []
        LogCodec.encode(entry, into: &body)
        let record = LogRecord(sequence: nextSequence(), entries: 1, newestEvent: nil, oldestEvent: nil, body: body)
        try await commit(Pending(record: record))
    }

    /// Gives a model's numeric columns their slice bins, durably (see ``Engine/setSliceEdges(model:_:)``).
    public func setSliceEdges(_ model: String, _ edges: [String: [Double]]) async throws(APIError) {
        guard !edges.isEmpty else { return }
        await waitWhilePaused()
        try checkHealthy()
        let entry = LogEntry.sliceEdges(model: model, edges: edges)
        host.mutate { $0.setSliceEdges(model: model, edges) }
        var body: [UInt8] = []
        LogCodec.encode(entry, into: &body)
        let record = LogRecord(sequence: nextSequence(), entries: 1, newestEvent: nil, oldestEvent: nil, body: body)
        try await commit(Pending(record: record))
    }

    /// Removes a model from the engine and the store (its custom metrics, reference and rules), durably.
    public func deleteModel(_ model: String) async throws(APIError) {
        await waitWhilePaused()
        try checkHealthy()
        let exists = host.read { engine in engine.modelSummaries.contains { $0.name == model } }
        guard exists else { throw APIError(.notFound, "unknown_model", "unknown model '\(model.prefix(64))'") }
        _ = host.mutate { $0.apply(.deleteModel(model: model)) }
        var body: [UInt8] = []
        LogCodec.encode(.deleteModel(model: model), into: &body)
        let record = LogRecord(sequence: nextSequence(), entries: 1, newestEvent: nil, oldestEvent: nil, body: body)
        try await commit(Pending(record: record, updates: [.deleteModel(model)]))
    }

    /// Logs a checkpoint (``LogEntry/checkpoint``), at which every node owning shards saves them; returns a copy of
    /// the engine as it is after the checkpoint, once that is committed.
    ///
    /// The copy and the checkpoint's sequence number are taken together on this actor, between two batches, so
    /// the copy holds exactly the batches before it.
    func checkpoint() async throws(APIError) -> (engine: Engine, sequence: Int64) {
        await waitWhilePaused()
        try checkHealthy()
        let engine = host.copy()
        let record = LogRecord(
            sequence: nextSequence(), entries: 1, newestEvent: nil, oldestEvent: nil, body: LogCodec.checkpointBody)
        try await commit(Pending(record: record))
        return (engine, record.sequence)
    }

    private func resume() {
        paused = false
        let waiters = pausedWaiters
        pausedWaiters = []
        for w in waiters { w.resume() }
    }

    // MARK: - Snapshots

    /// A copy of the engine and the log position it reflects, once that position is committed.
    func snapshotCopy() async -> (Engine, Int64)? {
        guard failure == nil, !paused else { return nil }
        let engine = host.copy()
        let sequence = lastApplied
        while lastCommitted < sequence {
            // Batches applied but neither committed nor committing failed: the engine holds them, no snapshot.
            guard failure == nil, committing || !queue.isEmpty else { return nil }
            await waitUntilIdle()
        }
        return (engine, sequence)
    }
}

/// Events with an event time, for the future-timestamp check.
public protocol Timed: Sendable {
    var time: Timestamp { get }
}

extension Prediction: Timed {}
extension Feedback: Timed {}
