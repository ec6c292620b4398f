import Foundation
import VigilCore

/// Rebuilds the live engine state from the store: on start (recovery), and for a backfilled custom metric.
/// (As-of questions replay in event time instead: ``AsOfReplayer``.)
///
/// - Recovery loads the newest snapshot and replays the log after it. If a backfill happened after that
///   snapshot, it rebuilds from the base instead, as the live server did.
/// - A rebuild from the base (the oldest snapshot, or an empty engine) applies every backfilled metric
///   definition first — "hoisted" to the start of the retained log — then replays the log, skipping earlier
///   definitions of the same metrics. Live backfill and recovery follow this one procedure, so they agree.
public struct EngineRebuilder {
    public let log: any Store
    public let configuration: EngineConfiguration
    /// Called every `progressInterval` entries with (entries replayed, entries to replay).
    public var progress: (Int, Int) -> Void = { _, _ in }
    public var progressInterval = 250_000
    /// How the shards of a replayed batch run (a server runs them on its cores).
    public var run: Engine.ShardRunner = Engine.sequentially
    /// The shards the rebuilt engine applies (see ``Engine/own(_:)``); `nil`: all, as the only node.
    public var owned: Set<Int>?

    public init(log: any Store, configuration: EngineConfiguration) {
        self.log = log
        self.configuration = configuration
    }

    /// The rebuilt engine and the log position it reflects.
    public struct Result {
        public var engine: Engine
        public var sequence: Int64
        public var replayedEntries: Int
        /// Entries the engine rejected on replay (zero unless an engine rule changed since they were logged).
        public var rejectedEntries: Int
        public var fromSnapshot: Int64?
        /// Time spent reading the snapshot from the store, and decoding it.
        public var snapshotRead: Duration = .zero
        public var snapshotDecode: Duration = .zero
        /// The shards taken from shard snapshots (see ``ShardSnapshotStore``), with each one's log position.
        public var shardSnapshots: [Int: Int64] = [:]

        /// ``shardSnapshots`` for a log line: `shard@sequence` by shard, or `none`.
        public var shardSnapshotSummary: String {
            shardSnapshots.isEmpty
                ? "none"
                : shardSnapshots.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" }.joined(separator: ",")
        }
    }

    /// State on start: the newest snapshot plus the log after it. An engine owning part of the shards, on a
    /// store keeping shard snapshots, puts its shards together from the newest snapshot of each.
    public func recover() async throws -> Result {
        let rebuildSequence = try await log.setting(StoreSettings.rebuildSequence) ?? 0
        // A snapshot the plan names may be replaced meanwhile by a newer one (which drops it): plan again.
        for _ in 0..<3 {
            guard let owned, let store = log as? any ShardSnapshotStore,
                let plan = ShardSnapshotPlan(
                    owned: owned, whole: try await log.snapshotSequences().last,
                    shardSnapshots: try await store.shardSnapshots(), since: rebuildSequence)
            else { break }
            do {
                if let result = try await recover(plan, from: store) { return result }
            } catch is AdoptionMismatch {
                break  // it cannot happen unless the log changed under the snapshot: start as a lone node does
            }
        }
        let clock = ContinuousClock()
        let readStart = clock.now
        if let newest = try await log.snapshot(newest: true), newest.sequence >= rebuildSequence {
            let decodeStart = clock.now
            if let engine = try EngineSnapshot.decode(newest.body) {
                let decoded = clock.now
                var result = try await replay(into: engine, after: newest.sequence, hoisted: [:], owning: owned)
                result.snapshotRead = decodeStart - readStart
                result.snapshotDecode = decoded - decodeStart
                return result
            }
        }
        return try await rebuildFromBase()
    }

    /// State rebuilt from the base with every backfilled metric computed over the whole retained log.
    public func rebuildFromBase() async throws -> Result {
        var base = try await base()
        let hoisted = try await backfilledDefinitions(after: base.sequence)
        for (_, definition) in hoisted.sorted(by: { $0.value.sequence < $1.value.sequence }) {
            base.engine.apply(definition.entry)
        }
        var result = try await replay(into: base.engine, after: base.sequence, hoisted: hoisted, owning: owned)
        result.fromSnapshot = base.sequence == 0 ? nil : base.sequence
        result.shardSnapshots = base.shardSnapshots
        result.snapshotRead = base.snapshotRead
        result.snapshotDecode = base.snapshotDecode
        return result
    }

    struct MetricKey: Hashable {
        var model: String
        var name: String
    }

    struct Hoisted {
        var sequence: Int64
        var entry: LogEntry
    }

    /// The last backfilled definition of each metric in the log after `sequence`. Control entries are
    /// written one per batch, so only batches whose first byte is a definition need decoding.
    func backfilledDefinitions(after sequence: Int64) async throws -> [MetricKey: Hoisted] {
        var found: [MetricKey: Hoisted] = [:]
        // Control entries are whole batches, in the headers' partition of a log split by shard.
        try await log.forEachRecord(after: sequence, shards: []) { seq, bytes in
            guard let kind = bytes.first, kind == LogCodec.Kind.defineMetric.rawValue else { return }
            try LogCodec.decode(bytes) { entry in
                if case .defineMetric(let model, let name, _, true) = entry {
                    found[MetricKey(model: model, name: name)] = Hoisted(sequence: seq, entry: entry)
                }
            }
        }
        return found
    }

    /// Replays the log after `sequence` into `start`, owning `owned` (the shards not owned are dropped first), and
    /// adopting each of `adoptions`' shards once the batch of its snapshot is applied. Of a log split by shard, it
    /// reads the rows of those shards only.
    func replay(
        into start: Engine, after sequence: Int64, hoisted: [MetricKey: Hoisted], owning owned: Set<Int>?,
        adoptions: [Adoption] = []
    ) async throws -> Result {
        var engine = start
        if let owned { engine.own(owned) }
        let reading = owned.map { $0.union(adoptions.map(\.shard)) }
        let total = try await log.count(after: sequence, shards: reading).entries
        var replayed = 0
        var rejected = 0
        var last = sequence
        // Consecutive events are applied as batches, so each batch's shards run side by side.
        var batch = ReplayBatch(run: run)
        var waiting = adoptions[...]
        func adopt(through position: Int64) throws {
            guard waiting.first.map({ $0.sequence <= position }) == true else { return }
            rejected += batch.flush(into: &engine)
            while let next = waiting.first, next.sequence <= position {
                waiting.removeFirst()
                guard engine.adoptShard(next.shard, from: next.engine) else { throw AdoptionMismatch(adoption: next) }
            }
        }
        try await log.forEachRecord(after: sequence, shards: reading) { seq, bytes in
            try adopt(through: seq - 1)
            last = seq
            try LogCodec.decode(bytes) { entry in
                replayed += 1
                if replayed % progressInterval == 0 { progress(replayed, total) }
                switch entry {
                case .defineMetric(let model, let name, _, _), .deleteMetric(let model, let name):
                    // Superseded by (or equal to) a backfilled definition applied at the base.
                    if let h = hoisted[MetricKey(model: model, name: name)], seq <= h.sequence { return }
                default:
                    break
                }
                rejected += batch.apply(entry, to: &engine)
            }
        }
        try adopt(through: last)
        guard waiting.isEmpty else { throw AdoptionMismatch(adoption: waiting.first!) }
        rejected += batch.flush(into: &engine)
        progress(replayed, total)
        return Result(
            engine: engine, sequence: last, replayedEntries: replayed, rejectedEntries: rejected, fromSnapshot: sequence
        )
    }
}

/// Replayed events waiting to be applied as one batch: predictions and feedback, in log order.
struct ReplayBatch {
    let run: Engine.ShardRunner
    var events: [Event] = []

    init(run: @escaping Engine.ShardRunner) { self.run = run }

    /// Takes one log entry in log order: an event joins the batch; a control entry (a model's declaration or
    /// removal, a metric definition) applies what is waiting, then itself. Returns the entries rejected.
    mutating func apply(_ entry: LogEntry, to engine: inout Engine) -> Int {
        switch entry {
        case .prediction(let p): return add(.prediction(p), to: &engine)
        case .feedback(let f): return add(.feedback(f), to: &engine)
        default:
            let rejected = flush(into: &engine)
            return rejected + (engine.apply(entry) ? 0 : 1)
        }
    }

    /// Adds an event, applying the batch once it is full; returns the entries rejected.
    mutating func add(_ event: Event, to engine: inout Engine) -> Int {
        events.append(event)
        return events.count >= ReplayCursor.batchSize ? flush(into: &engine) : 0
    }

    /// Applies what is waiting; returns the entries rejected (none, unless an engine rule changed since).
    mutating func flush(into engine: inout Engine) -> Int {
        guard !events.isEmpty else { return 0 }
        let failed = engine.ingest(events, run: run).count { if case .failure = $0 { true } else { false } }
        events.removeAll(keepingCapacity: true)
        return failed
    }
}
