import PostgresNIO
import VigilCore

/// Reading the log by event time (see ``SQLiteStore``'s): each batch's span of event times is indexed, so an
/// as-of replay reads only the batches of its time range, from one snapshot of the log (`REPEATABLE READ`).
extension PostgresStore {
    public func forEachRecord(
        eventsAfter after: Timestamp?, through: Timestamp, _ body: (Int64, UnsafeRawBufferPointer) throws -> Void
    ) async throws -> LogSpanRead {
        try await transaction(isolation: "REPEATABLE READ") { c in
            var read = LogSpanRead()
            let (first, last, batches) = try await rows(
                "SELECT coalesce(min(seq), 0), coalesce(max(seq), 0), count(*) FROM log WHERE shard = -1", on: c)[0]
                .decode((Int64, Int64, Int).self)
            (read.first, read.last, read.batches) = (first, last, batches)
            let afterMs = after?.milliseconds ?? Int64.min
            let rows = try await c.query(
                """
                SELECT seq, shard, parts, body FROM log
                WHERE newest_ms IS NULL OR (newest_ms > \(afterMs)
                    AND coalesce(oldest_ms, newest_ms - \(Self.unknownSpan)) <= \(through.milliseconds))
                ORDER BY seq, shard
                """, logger: logger)
            var assembler = LogBatchAssembler(complete: true)
            for try await row in rows.decode((Int64, Int32, Int32, ByteBuffer).self) {
                if row.1 < 0 { read.batchesRead += 1 }
                try assembler.take(row, body)
            }
            try assembler.finish(body)
            return read
        }
    }

    public func changedHistory(after sequence: Int64, first: Int64, atOrBefore time: Timestamp) async throws -> Bool {
        try await transaction(isolation: "REPEATABLE READ") { c in
            let now = try await rows("SELECT coalesce(min(seq), 0) FROM log WHERE shard = -1", on: c)[0]
                .decode(Int64.self)
            if now > first && first != 0 { return true }
            return try await rows(
                """
                SELECT EXISTS (SELECT 1 FROM log WHERE shard = -1 AND seq > \(sequence)
                    AND ((newest_ms IS NULL AND body <> \(ByteBuffer(bytes: LogCodec.checkpointBody)))
                        OR coalesce(oldest_ms, newest_ms - \(Self.unknownSpan)) <= \(time.milliseconds)))
                """, on: c)[0].decode(Bool.self)
        }
    }

    public func eventTimeRange() async throws -> (earliest: Timestamp, latest: Timestamp)? {
        let (earliest, latest) = try await rows(
            "SELECT min(coalesce(oldest_ms, newest_ms)), max(newest_ms) FROM log WHERE shard = -1 AND newest_ms IS NOT NULL"
        )[0].decode((Int64?, Int64?).self)
        guard let earliest, let latest else { return nil }
        return (Timestamp(milliseconds: earliest), Timestamp(milliseconds: latest))
    }

    /// A batch without a recorded oldest event may hold events of any age (as in ``SQLiteStore``).
    static let unknownSpan: Int64 = 1 << 62
}
