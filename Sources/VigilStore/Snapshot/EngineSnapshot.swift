import Foundation
import VigilCore

/// The engine's whole state as bytes, so that a restart replays only the log after the snapshot.
///
/// The engine is a value type: the caller copies it (constant time, copy-on-write) at a log position and
/// encodes the copy off the ingest path. The bytes are ``BinaryEncoder``'s: a format word, then the engine;
/// the join's ids, records and hash table are written in bulk.
public enum EngineSnapshot {
    /// Bumped when the engine's stored shape changes; an older snapshot is then ignored and the log replayed.
    public static let formatVersion: UInt32 = 8
    /// Marks the binary format (JSON snapshots, formats 1–3, start with `{`).
    static let magic: [UInt8] = Array("VGS1".utf8)

    /// The snapshot's bytes in memory (tests and tools; the server streams them with `write`).
    public static func encode(_ engine: Engine) throws -> [UInt8] {
        // The snapshot is about the size of the join and the buckets in memory.
        let footprint = engine.memoryFootprint
        let expected = footprint.joinIndex + footprint.buckets + footprint.buckets / 2
        return try BinaryEncoder(expectedSize: expected).encode(engine, after: header)
    }

    /// Streams the snapshot to `file`; returns its size in bytes.
    static func write(_ engine: Engine, to file: SnapshotFile, chunk: Int = 4 << 20) throws -> Int {
        try BinaryEncoder().encode(engine, after: header, to: file, chunk: chunk)
    }

    private static var header: [UInt8] {
        var header = magic
        withUnsafeBytes(of: formatVersion.littleEndian) { header.append(contentsOf: $0) }
        return header
    }

    /// The engine in `bytes`, or `nil` if they were written by another format version.
    public static func decode(_ bytes: Data) throws -> Engine? {
        let header = magic.count + 4
        guard bytes.count > header, Array(bytes.prefix(magic.count)) == magic else { return nil }
        let version = bytes.dropFirst(magic.count).prefix(4).enumerated().reduce(UInt32(0)) {
            $0 | UInt32($1.element) << (8 * UInt32($1.offset))
        }
        guard version == formatVersion else { return nil }
        return try BinaryDecoder().decode(Engine.self, from: bytes.dropFirst(header))
    }
}
