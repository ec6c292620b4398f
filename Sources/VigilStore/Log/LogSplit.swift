import VigilCore

/// A batch split by shard, for a log that several nodes read in part (``LogRecord/parts``).
///
/// A node of a cluster applies only the rows of the shards it owns, but every row that changes what the nodes
/// share — a new model, version, segment value, profile column or class, a shadow, the first row of an hour:
/// the engine's *barriers* — must reach every node, in the writer's order. So a split batch is a *header*, read
/// by every node, with the barrier rows, the batch's control entries and a closing ``LogEntry/watermark(_:)``,
/// and one *part* per shard with that shard's other rows. Each entry is kept with its position in the batch;
/// reading the header and some parts and merging them by position gives those entries in log order, and
/// reading every part gives the batch exactly as it was applied.
///
/// Layout of a header or part body: for each entry, its position in the batch (LEB128), the length of its
/// ``LogCodec`` bytes (LEB128), then those bytes.
public enum LogSplit {
    /// Splits a batch: `entries[i]` is the ``LogCodec`` encoding of the batch's `i`-th entry, and `shards[i]` the
    /// shard that alone needs it, or −1 when every node does. `newest` is the batch's newest event time (the
    /// header's closing watermark). `nil` when every entry is for every node: the batch stays whole.
    public static func split(
        _ entries: [ArraySlice<UInt8>], shards: [Int], newest: Timestamp
    ) -> (header: [UInt8], parts: [LogRecord.Part])? {
        precondition(entries.count == shards.count)
        guard shards.contains(where: { $0 >= 0 }) else { return nil }
        var header: [UInt8] = []
        var parts: [Int: LogRecord.Part] = [:]
        for (position, (bytes, shard)) in zip(entries, shards).enumerated() {
            if shard < 0 {
                append(position, bytes, to: &header)
            } else {
                parts[shard, default: LogRecord.Part(shard: shard, entries: 0, body: [])].entries += 1
                append(position, bytes, to: &parts[shard]!.body)
            }
        }
        var closing: [UInt8] = []
        LogCodec.encode(.watermark(newest), into: &closing)
        append(entries.count, closing[...], to: &header)
        return (header, parts.values.sorted { $0.shard < $1.shard })
    }

    /// Appends one positioned entry to a header or part body.
    static func append(_ position: Int, _ bytes: ArraySlice<UInt8>, to body: inout [UInt8]) {
        LogCodec.varint(position, &body)
        LogCodec.varint(bytes.count, &body)
        body.append(contentsOf: bytes)
    }

    /// The ``LogCodec`` body of the entries of `bodies` (a header and parts of one batch), in batch order.
    /// - Throws: ``LogCorruption`` if a body is not positioned entries.
    public static func merge(_ bodies: [[UInt8]]) throws -> [UInt8] {
        var entries: [(position: Int, body: Int, range: Range<Int>)] = []
        for (b, body) in bodies.enumerated() {
            try body.withUnsafeBytes { bytes in
                var reader = LogCodec.Reader(bytes: bytes)
                while !reader.isAtEnd {
                    let position = try reader.varint()
                    let length = try reader.varint()
                    guard length <= bytes.count - reader.i else { throw reader.corrupt("entry runs past the part") }
                    entries.append((position, b, reader.i..<(reader.i + length)))
                    reader.i += length
                }
            }
        }
        entries.sort { $0.position < $1.position }
        var out: [UInt8] = []
        out.reserveCapacity(bodies.reduce(0) { $0 + $1.count })
        for entry in entries { out.append(contentsOf: bodies[entry.body][entry.range]) }
        return out
    }
}
