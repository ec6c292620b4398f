import Foundation
import GRDB
import VigilCore

/// Reading the log by event time: each batch records the span of its events' times (`oldest_ms`,
/// `newest_ms`, indexed), so an as-of replay reads only the batches that hold events of its time range.
extension SQLiteStore {
    /// Reads, in log order and from one consistent state of the log, every batch that may hold an event with a
    /// time in `(after, through]` (after `nil`: from the beginning), and every control batch (model
    /// declarations and removals, metric definitions).
    public func forEachRecord(
        eventsAfter after: Timestamp?, through: Timestamp, _ body: (Int64, UnsafeRawBufferPointer) throws -> Void
    ) throws -> LogSpanRead {
        try pool.read { db in
            var read = LogSpanRead()
            let extent = try Row.fetchOne(
                db, sql: "SELECT coalesce(min(seq), 0), coalesce(max(seq), 0), count(*) FROM log")
            read.first = extent?[0] ?? 0
            read.last = extent?[1] ?? 0
            read.batches = extent?[2] ?? 0
            // The covering index answers which batches to read; their bodies are then fetched by position.
            let positions = try Int64.fetchAll(
                db,
                sql: """
                    SELECT seq FROM log INDEXED BY log_span
                    WHERE newest_ms IS NULL OR (newest_ms > ? AND coalesce(oldest_ms, newest_ms - ?) <= ?)
                    """,
                arguments: [after?.milliseconds ?? Int64.min, Self.unknownSpan, through.milliseconds]
            ).sorted()
            read.batchesRead = positions.count
            let statement = try db.cachedStatement(sql: "SELECT body FROM log WHERE seq = ?")
            for seq in positions {
                guard let row = try Row.fetchOne(statement, arguments: [seq]) else { continue }
                try Self.withBatchBody(row, at: 0) { try body(seq, $0) }
            }
            return read
        }
    }

    /// Whether anything logged after `sequence` would change a replay up to `time`: an event at or before it,
    /// or a control entry. Also true when retention dropped batches at or before `first`.
    public func changedHistory(after sequence: Int64, first: Int64, atOrBefore time: Timestamp) throws -> Bool {
        try pool.read { db in
            let now = try Int64.fetchOne(db, sql: "SELECT coalesce(min(seq), 0) FROM log") ?? 0
            if now > first && first != 0 { return true }
            let late = try Int64.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM log INDEXED BY log_span
                    WHERE seq > ? AND ((newest_ms IS NULL AND body != ?) OR coalesce(oldest_ms, newest_ms - ?) <= ?)
                    """,
                arguments: [sequence, Data(LogCodec.checkpointBody), Self.unknownSpan, time.milliseconds])
            return (late ?? 0) > 0
        }
    }

    /// The earliest and latest event times in the log (`nil` when it holds no events).
    public func eventTimeRange() throws -> (earliest: Timestamp, latest: Timestamp)? {
        try pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT min(coalesce(oldest_ms, newest_ms)), max(newest_ms) FROM log INDEXED BY log_span
                        WHERE newest_ms IS NOT NULL
                        """),
                let earliest: Int64 = row[0], let latest: Int64 = row[1]
            else { return nil }
            return (Timestamp(milliseconds: earliest), Timestamp(milliseconds: latest))
        }
    }

    /// A batch without a recorded oldest event (the migration fills them; a writer may omit it) may hold events
    /// of any age: treat it as reaching this far back (about 146 million years).
    static let unknownSpan: Int64 = 1 << 62
}
