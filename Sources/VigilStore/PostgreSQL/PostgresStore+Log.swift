import PostgresNIO
import VigilCore

/// The log: one row per batch in the `shard = -1` partition (the batch whole, or its header when it is split
/// by shard, with its entry count and span of event times), plus one row per part of a split batch in its
/// shard's partition (``LogSplit``). The table is hash-partitioned on the shard, so a node reading its shards
/// reads the headers' partition and its own.
extension PostgresStore {
    /// A small write, to learn whether the server takes writes again after a failure.
    public func probeWrite() async throws {
        try await transaction { c in
            try await c.query(
                "INSERT INTO setting (key, value) VALUES ('probe', 0) ON CONFLICT (key) DO NOTHING", logger: logger)
            try await c.query("DELETE FROM setting WHERE key = 'probe'", logger: logger)
        }
    }

    /// Commits `records` (multi-row inserts) and applies `updates` in the same transaction.
    public func append(_ records: [LogRecord], updates: [StoreUpdate]) async throws {
        let rows = records.flatMap(Self.logRows)
        try await transaction { c in
            for part in stride(from: 0, to: rows.count, by: Self.rowsPerInsert) {
                try await c.query(
                    Self.insertLog(rows[part..<min(part + Self.rowsPerInsert, rows.count)]), logger: logger)
            }
            for update in updates { try await apply(update, c) }
            // Delivered at commit: wakes the nodes following the log (``watchAppends(_:)``).
            try await c.query("SELECT pg_notify(\(Self.appendChannel), \(location.schema))", logger: logger)
        }
    }

    /// Rows per insert statement: 7 parameters each, well under the protocol's 65,535.
    static let rowsPerInsert = 1000

    /// One row of the log table.
    struct LogRow {
        var sequence: Int64
        var shard: Int
        var entries: Int
        var newest: Int64?
        var oldest: Int64?
        var parts: Int
        var body: [UInt8]
    }

    /// A record's rows: the batch (or its header) as shard −1, then its parts, each with the batch's span of
    /// event times (so a time-range read selects every row of a batch alike).
    static func logRows(_ r: LogRecord) -> [LogRow] {
        let newest = r.newestEvent?.milliseconds
        let oldest = r.oldestEvent?.milliseconds
        return [
            LogRow(
                sequence: r.sequence, shard: -1, entries: r.entries, newest: newest, oldest: oldest,
                parts: r.parts.count, body: r.body)
        ]
            + r.parts.map {
                LogRow(
                    sequence: r.sequence, shard: $0.shard, entries: $0.entries, newest: newest, oldest: oldest,
                    parts: 0, body: $0.body)
            }
    }

    private static func insertLog(_ rows: ArraySlice<LogRow>) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: rows.count * 7)
        var values: [String] = []
        for r in rows {
            let n = bindings.count
            values.append("(\((1...7).map { "$\(n + $0)" }.joined(separator: ", ")))")
            bindings.append(r.sequence)
            bindings.append(Int32(r.shard))
            bindings.append(Int64(r.entries))
            bindings.append(r.newest)
            bindings.append(r.oldest)
            bindings.append(Int32(r.parts))
            bindings.append(ByteBuffer(bytes: r.body))
        }
        return PostgresQuery(
            unsafeSQL: "INSERT INTO log (seq, shard, entries, newest_ms, oldest_ms, parts, body) VALUES "
                + values.joined(separator: ", "), binds: bindings)
    }

    public func lastSequence() async throws -> Int64 {
        try await rows("SELECT coalesce(max(seq), 0) FROM log WHERE shard = -1")[0].decode(Int64.self)
    }

    public func firstSequence() async throws -> Int64? {
        try await rows("SELECT min(seq) FROM log WHERE shard = -1")[0].decode(Int64?.self)
    }

    public func count(after sequence: Int64, shards: Set<Int>?) async throws -> (batches: Int, entries: Int) {
        guard let shards else {
            return try await rows(
                "SELECT count(*), coalesce(sum(entries), 0)::bigint FROM log WHERE shard = -1 AND seq > \(sequence)"
            )[0].decode((Int, Int).self)
        }
        // A batch's row counts all of its entries: those of the parts not read are taken off.
        let unread = shards.isEmpty ? "" : " AND shard NOT IN (\(Self.literals(shards.sorted())))"
        return try await rows(
            """
            SELECT count(*) FILTER (WHERE shard = -1),
                (coalesce(sum(entries) FILTER (WHERE shard = -1), 0)
                    - coalesce(sum(entries) FILTER (WHERE shard >= 0\(unescaped: unread)), 0))::bigint
            FROM log WHERE seq > \(sequence)
            """)[0].decode((Int, Int).self)
    }

    /// Streams every batch after `sequence` in order (rows arrive as the callback consumes them), with only the
    /// parts of `shards` of a split batch.
    public func forEachRecord(
        after sequence: Int64, shards: Set<Int>?, _ body: (Int64, UnsafeRawBufferPointer) throws -> Void
    ) async throws {
        try await connection { c in
            let rows = try await c.query(
                "SELECT seq, shard, parts, body FROM log WHERE seq > \(sequence)\(unescaped: Self.shardFilter(shards)) ORDER BY seq, shard",
                logger: logger)
            var batches = LogBatchAssembler(complete: shards == nil)
            for try await row in rows.decode((Int64, Int32, Int32, ByteBuffer).self) {
                try batches.take(row, body)
            }
            try batches.finish(body)
        }
    }

    /// The condition selecting the header partition and the parts of `shards` (none for `nil`: every row).
    /// Literal integers, so that PostgreSQL prunes the other partitions when it plans the query.
    static func shardFilter(_ shards: Set<Int>?) -> String {
        guard let shards else { return "" }
        return " AND shard IN (\(literals([-1] + shards.sorted())))"
    }

    /// Shard numbers as a list of SQL literals (integers: nothing to escape).
    static func literals(_ shards: [Int]) -> String { shards.map(String.init).joined(separator: ", ") }
}

/// Puts the log's rows, read in `(seq, shard)` order, back into batches: a whole batch is handed on as read, a
/// split batch's header and parts are merged in batch order (``LogSplit``).
struct LogBatchAssembler {
    /// Whether every part was read: a batch missing one is then an error (a read of some shards lacks the
    /// others by design).
    let complete: Bool
    private var split: (sequence: Int64, parts: Int, bodies: [[UInt8]])?

    init(complete: Bool) { self.complete = complete }

    /// Takes the next row: `(seq, shard, parts, body)`.
    mutating func take(
        _ row: (Int64, Int32, Int32, ByteBuffer), _ body: (Int64, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let (seq, shard, parts, bytes) = row
        if shard >= 0 {
            guard split?.sequence == seq else {
                throw StorageError(reason: "log batch \(seq) has a part but no header")
            }
            split!.bodies.append(Array(bytes.readableBytesView))
            return
        }
        try finish(body)
        if parts == 0 {
            try bytes.withUnsafeReadableBytes { try body(seq, $0) }
        } else {
            split = (seq, Int(parts), [Array(bytes.readableBytesView)])
        }
    }

    /// Hands on the split batch read last, if any.
    mutating func finish(_ body: (Int64, UnsafeRawBufferPointer) throws -> Void) throws {
        guard let batch = split else { return }
        split = nil
        if complete && batch.bodies.count - 1 != batch.parts {
            throw StorageError(
                reason: "log batch \(batch.sequence) has \(batch.bodies.count - 1) of its \(batch.parts) parts")
        }
        try LogSplit.merge(batch.bodies).withUnsafeBytes { try body(batch.sequence, $0) }
    }
}
