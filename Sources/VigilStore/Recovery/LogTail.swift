import VigilCore

/// Batches read from the log after a position, to be applied to a live engine as recovery applies them: how a
/// node that does not write (a follower) keeps up with the log other nodes write.
public struct LogTail: Sendable {
    /// Sequence number and body of each batch, in log order.
    public var records: [(sequence: Int64, body: [UInt8])] = []

    /// Whether a batch defines or deletes a custom metric: a backfilled definition changes history, so the
    /// engine is rebuilt from the base (``EngineRebuilder``) rather than applied on.
    public var needsRebuild = false

    /// The batches that are checkpoints (``LogEntry/checkpoint``), where every owner saves its shards.
    public var checkpoints: Set<Int64> = []

    /// Reads every batch after `after` (a follower reads often, so a tail is short; recovery on start read
    /// the bulk), with only the rows of `shards` of a batch split by shard (`nil`: every row).
    public static func read(_ log: any Store, after: Int64, shards: Set<Int>? = nil) async throws -> LogTail {
        var tail = LogTail()
        try await log.forEachRecord(after: after, shards: shards) { seq, bytes in
            tail.records.append((seq, Array(bytes)))
            try LogCodec.decode(bytes) { entry in
                switch entry {
                case .defineMetric, .deleteMetric: tail.needsRebuild = true
                case .checkpoint: tail.checkpoints.insert(seq)
                default: break
                }
            }
        }
        return tail
    }

    /// Applies one batch's `body` to `engine`; returns the entries the engine rejected (none, unless its rules
    /// changed since they were logged). A caller applies batch by batch, so readers get the engine in between.
    public static func apply(
        _ body: [UInt8], to engine: inout Engine, run: @escaping Engine.ShardRunner
    ) throws -> Int {
        var rejected = 0
        var batch = ReplayBatch(run: run)
        try body.withUnsafeBytes { bytes in
            try LogCodec.decode(bytes) { rejected += batch.apply($0, to: &engine) }
        }
        return rejected + batch.flush(into: &engine)
    }
}
