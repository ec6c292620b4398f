import VigilCore

/// The append-only event log: batches of ``LogEntry`` by sequence number, the integer settings, and
/// retention. Replaying it from the beginning (or from a snapshot) rebuilds exactly the live engine.
///
/// ```swift
/// var body: [UInt8] = []
/// LogCodec.encode(.feedback(Feedback(id: "p1", time: t, label: .number(1))), into: &body)
/// let record = LogRecord(sequence: try store.lastSequence() + 1, entries: 1, newestEvent: t, oldestEvent: t, body: body)
/// try await store.append([record])
/// ```
public protocol EventStore: Sendable {
    /// Commits `records` and applies the metadata `updates` in one transaction; returns once they are durable.
    /// - Throws: ``StorageError`` when the backend refuses the write (disk full, connection lost).
    func append(_ records: [LogRecord], updates: [StoreUpdate]) async throws

    /// A small write, to learn whether storage takes writes again after a failure.
    func probeWrite() async throws

    /// The highest committed sequence number (0 for an empty log).
    func lastSequence() async throws -> Int64

    /// The lowest sequence number the log holds (`nil` for an empty log): after retention, the first batch kept.
    func firstSequence() async throws -> Int64?

    /// Number of committed batches after `sequence`, and of the entries a read of `shards` gives (see
    /// ``forEachRecord(after:shards:_:)``; `nil`: every entry).
    func count(after sequence: Int64, shards: Set<Int>?) async throws -> (batches: Int, entries: Int)

    /// Reads every batch after `sequence` in order, streaming (the log may not fit in memory). Of a batch split by
    /// shard (``LogRecord/parts``), it reads the header and the parts of `shards` (`nil`: every part), merged
    /// in batch order; a store that keeps batches whole reads them whole.
    func forEachRecord(
        after sequence: Int64, shards: Set<Int>?, _ body: (Int64, UnsafeRawBufferPointer) throws -> Void
    ) async throws

    /// Reads, in log order and from one consistent state of the log, every batch that may hold an event with a
    /// time in `(after, through]` (after `nil`: from the beginning), and every control batch (model
    /// declarations and removals, metric definitions).
    func forEachRecord(
        eventsAfter after: Timestamp?, through: Timestamp, _ body: (Int64, UnsafeRawBufferPointer) throws -> Void
    ) async throws -> LogSpanRead

    /// Whether anything logged after `sequence` would change a replay up to `time`: an event at or before it,
    /// or a control entry. Also true when retention dropped batches at or before `first`.
    func changedHistory(after sequence: Int64, first: Int64, atOrBefore time: Timestamp) async throws -> Bool

    /// The earliest and latest event times in the log (`nil` when it holds no events).
    func eventTimeRange() async throws -> (earliest: Timestamp, latest: Timestamp)?

    /// An integer setting (see ``StoreSettings``).
    func setting(_ key: String) async throws -> Int64?

    /// Applies retention: drops the batches up to the newest snapshot whose batches are all older than
    /// `cutoff`, and the snapshots before it (that snapshot becomes the base). Returns the batches dropped.
    @discardableResult
    func prune(olderThan cutoff: Timestamp) async throws -> Int
}

extension EventStore {
    /// Commits `records` alone.
    public func append(_ records: [LogRecord]) async throws { try await append(records, updates: []) }

    /// Reads every batch after `sequence` whole, in order, streaming.
    public func forEachRecord(
        after sequence: Int64, _ body: (Int64, UnsafeRawBufferPointer) throws -> Void
    ) async throws {
        try await forEachRecord(after: sequence, shards: nil, body)
    }

    /// Number of committed batches and entries after `sequence`.
    public func count(after sequence: Int64) async throws -> (batches: Int, entries: Int) {
        try await count(after: sequence, shards: nil)
    }

    /// Number of committed batches and entries.
    public func count() async throws -> (batches: Int, entries: Int) { try await count(after: 0) }

    /// Every entry after `sequence`, decoded, with its batch's sequence number.
    public func forEachEntry(after sequence: Int64, _ body: (Int64, LogEntry) throws -> Void) async throws {
        try await forEachRecord(after: sequence) { seq, bytes in
            try LogCodec.decode(bytes) { try body(seq, $0) }
        }
    }
}
