import Foundation
import VigilCore

/// The engine's whole state as bytes, so that a restart replays only the log after the snapshot.
///
/// The engine is a value type: the caller copies it (constant time, copy-on-write) at a log position and
/// encodes the copy off the ingest path. Join entries are stored as raw words; the rest as JSON.
public enum EngineSnapshot {
    /// Bumped when the engine's stored shape changes; an older snapshot is then ignored and the log replayed.
    public static let formatVersion = 3

    struct Envelope: Codable {
        var format: Int
        var engine: Engine
    }

    public static func encode(_ engine: Engine) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return Array(try encoder.encode(Envelope(format: formatVersion, engine: engine)))
    }

    /// The engine in `bytes`, or `nil` if they were written by another format version.
    public static func decode(_ bytes: Data) throws -> Engine? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        struct Header: Codable { var format: Int }
        guard try decoder.decode(Header.self, from: bytes).format == formatVersion else { return nil }
        return try decoder.decode(Envelope.self, from: bytes).engine
    }
}
