import Foundation

/// A compact binary form of any `Codable` value, for engine snapshots: JSON took a minute and 4× the engine's
/// memory for 5 M predictions, mostly spent boxing numbers; this writes them as raw little-endian bytes.
///
/// The layout, in one flat buffer (no tree is built):
/// - every value starts with a tag: `0` nil, `1` a value, `2` a bulk array;
/// - numbers are fixed-width little-endian, strings a 32-bit byte count and UTF-8;
/// - a keyed container is a 32-bit entry count, then per entry the key (as a string) and a 32-bit byte length
///   of its value, so a reader can list the keys (enums and dictionaries need them) and skip values;
/// - an unkeyed container is a 32-bit element count, then per element a 32-bit byte length and the element;
/// - arrays of fixed-width numbers, `Bool` and `String` are written in bulk (one tag, kind, count, bytes),
///   which is where a snapshot's bulk lies (the join's ids and records, its hash table).
///
/// Containers are written one at a time (as `Codable` code does): a container's counts and lengths are patched
/// in place as its entries are appended, and a nested container ends when its parent starts its next entry.
public struct BinaryEncoder {
    /// Bytes to reserve up front: a good guess spares the copies (and the doubled peak memory) of growing.
    public var expectedSize: Int

    public init(expectedSize: Int = 1 << 20) { self.expectedSize = expectedSize }

    /// The bytes of `value`, after `header` (written first, so the result is never copied to prepend it).
    public func encode(_ value: some Encodable, after header: [UInt8] = []) throws -> [UInt8] {
        let sink = BinarySink(file: nil)
        sink.bytes.reserveCapacity(max(1 << 16, expectedSize))
        sink.bytes.append(contentsOf: header)
        try sink.encodeValue(value, codingPath: [])
        return sink.bytes
    }

    /// Streams the bytes of `value`, after `header`, to `file`; returns their count. Memory stays at one chunk
    /// (a few MB) besides the value, however large the value.
    func encode(
        _ value: some Encodable, after header: [UInt8], to file: SnapshotFile, chunk: Int = 4 << 20
    ) throws -> Int {
        let sink = BinarySink(file: file, chunk: chunk)
        sink.bytes.reserveCapacity(chunk + (1 << 16))
        sink.bytes.append(contentsOf: header)
        try sink.encodeValue(value, codingPath: [])
        try sink.finish()
        return sink.position
    }
}

/// The shared output of one encoding: a buffer, or (streaming) a buffer flushed to a file chunk by chunk.
final class BinarySink {
    /// What is not yet flushed: the whole output when not streaming.
    var bytes: [UInt8] = []
    /// Length placeholders of nested containers still being written: (offset, start of the value). A nested
    /// container ends when its parent writes its next entry or the value that holds it is done.
    var open: [(offset: Int, start: Int)] = []
    /// Where a streamed encoding goes, and how many bytes already went there.
    private let file: SnapshotFile?
    private var flushed = 0
    /// Counts and lengths patched after their bytes were flushed, written to the file at the end (only the
    /// containers still open at a flush have any, so this stays small).
    private var filePatches: [Int: UInt32] = [:]
    /// The first error of a file read where nothing could throw.
    private var failure: (any Error)?
    /// The buffer is flushed when it grows past this.
    let chunk: Int

    init(file: SnapshotFile?, chunk: Int = 4 << 20) {
        self.file = file
        self.chunk = chunk
    }

    /// The offset of the next byte written, from the start of the output.
    var position: Int { flushed + bytes.count }

    /// Patches the lengths of the nested containers opened at or above `depth`.
    func close(downTo depth: Int) {
        while open.count > depth {
            let (offset, start) = open.removeLast()
            patch(offset, UInt32(position - start))
        }
    }

    /// Writes the buffer out when it is full. Called only before a value's tag, so the tag that a single
    /// value container may turn into `nil` is always still in the buffer.
    func flushIfFull() throws {
        guard let file, bytes.count >= chunk else { return }
        try flush(file)
    }

    private func flush(_ file: SnapshotFile) throws {
        try bytes.withUnsafeBytes { try file.append($0) }
        flushed += bytes.count
        bytes.removeAll(keepingCapacity: true)
    }

    /// Flushes what is left and applies the patches to flushed bytes.
    func finish() throws {
        guard let file else { return }
        if let failure { throw failure }
        try flush(file)
        for (offset, value) in filePatches { try file.overwrite(value, at: offset) }
        filePatches.removeAll()
    }

    /// Appends raw bytes; a large run (the join's arrays) goes straight to the file instead of the buffer.
    func append(raw: UnsafeRawBufferPointer) throws {
        if let file, raw.count >= chunk {
            try flush(file)
            try file.append(raw)
            flushed += raw.count
        } else {
            bytes.append(contentsOf: raw)
        }
    }

    static let nilTag: UInt8 = 0
    static let valueTag: UInt8 = 1
    static let bulkTag: UInt8 = 2

    enum BulkKind: UInt8 {
        case uint8 = 1, uint32, uint64, int64, double, int, bool, string, int32, uint16
        /// `[SIMD2<UInt32>]` (score histograms) as pairs of words; `SIMD32<Double>` (calibration sums) as 32 doubles.
        case uint32Pairs, double32
    }

    @inline(__always) func append<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    func append(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            append(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Reserves 4 bytes for a count or length patched later; returns their offset.
    func placeholder() -> Int {
        append(UInt32(0))
        return position - 4
    }

    func patch(_ offset: Int, _ value: UInt32) {
        guard offset >= flushed else {
            filePatches[offset] = value
            return
        }
        withUnsafeBytes(of: value.littleEndian) { raw in
            for i in 0..<4 { bytes[offset - flushed + i] = raw[i] }
        }
    }

    /// Adds one to a count. Cannot throw (a container's methods that start entries do not): a failed read of
    /// the file is kept and thrown by `finish`.
    func increment(_ offset: Int) {
        let current: UInt32
        if offset >= flushed {
            current = UInt32(
                littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset - flushed, as: UInt32.self) })
        } else if let patched = filePatches[offset] {
            current = patched
        } else {
            do {
                current = try file!.read(at: offset)
            } catch {
                failure = failure ?? error
                current = 0
            }
        }
        patch(offset, current + 1)
    }

    /// Writes a value with its tag: bulk for the arrays that have a bulk form, else through `Encodable`.
    func encodeValue<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        try flushIfFull()
        if T.self is any BulkCandidate.Type, try writeBulk(value) { return }
        bytes.append(Self.valueTag)
        let depth = open.count
        try value.encode(to: BinaryValueEncoder(sink: self, codingPath: codingPath))
        close(downTo: depth)
    }

    private func writeBulk<T>(_ value: T) throws -> Bool {
        switch value {
        case let a as [UInt8]: try bulk(.uint8, a)
        case let a as [UInt16]: try bulk(.uint16, a)
        case let a as [UInt32]: try bulk(.uint32, a)
        case let a as [Int32]: try bulk(.int32, a)
        case let a as [UInt64]: try bulk(.uint64, a)
        case let a as [Int64]: try bulk(.int64, a)
        case let a as [Int]: try bulk(.int, a.map { Int64($0) })
        case let a as [Double]: try bulk(.double, a.map(\.bitPattern))
        case let a as [Bool]: try bulk(.bool, a.map { $0 ? UInt8(1) : 0 })
        case let a as [SIMD2<UInt32>]:
            header(.uint32Pairs, a.count)
            try a.withUnsafeBytes { try append(raw: $0) }
        case let v as SIMD32<Double>:
            header(.double32, 32)
            withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) }
        case let a as [String]:
            header(.string, a.count)
            for s in a { append(s) }
        default: return false
        }
        return true
    }

    private func header(_ kind: BulkKind, _ count: Int) {
        bytes.append(Self.bulkTag)
        bytes.append(kind.rawValue)
        append(UInt32(count))
    }

    private func bulk<E: FixedWidthInteger>(_ kind: BulkKind, _ a: [E]) throws {
        header(kind, a.count)
        // Little-endian machines (x86-64, arm64) store these as they are written.
        try a.withUnsafeBytes { try append(raw: $0) }
    }
}

/// Marks the types that may have a bulk form, so other values skip the casts.
protocol BulkCandidate {}
extension Array: BulkCandidate {}
extension SIMD32: BulkCandidate {}

/// The `Encoder` handed to each value.
struct BinaryValueEncoder: Encoder {
    let sink: BinarySink
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(BinaryKeyedEncoder<Key>(sink: sink, codingPath: codingPath, count: sink.placeholder()))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        BinaryUnkeyedEncoder(sink: sink, codingPath: codingPath, countOffset: sink.placeholder())
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        BinarySingleValueEncoder(sink: sink, codingPath: codingPath)
    }
}

struct BinaryKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let sink: BinarySink
    var codingPath: [any CodingKey]
    let count: Int
    /// `sink.open.count` when this container began: its nested containers sit above it.
    let depth: Int

    init(sink: BinarySink, codingPath: [any CodingKey], count: Int) {
        self.sink = sink
        self.codingPath = codingPath
        self.count = count
        depth = sink.open.count
    }

    /// Starts an entry (closing the nested container of the previous one) and returns its length placeholder.
    private func begin(_ key: Key) -> (length: Int, start: Int) {
        sink.close(downTo: depth)
        sink.increment(count)
        sink.append(key.stringValue)
        let length = sink.placeholder()
        return (length, sink.position)
    }

    private func entry(_ key: Key, _ body: () throws -> Void) rethrows {
        let (length, start) = begin(key)
        try body()
        sink.patch(length, UInt32(sink.position - start))
    }

    /// Starts an entry whose value is a nested container, written after this call returns.
    private func beginNested(_ key: Key) {
        let (length, start) = begin(key)
        sink.open.append((length, start))
        sink.bytes.append(BinarySink.valueTag)
    }

    private func raw<T: FixedWidthInteger>(_ value: T, _ key: Key) {
        entry(key) {
            sink.bytes.append(BinarySink.valueTag)
            sink.append(value)
        }
    }

    mutating func encodeNil(forKey key: Key) throws { entry(key) { sink.bytes.append(BinarySink.nilTag) } }
    mutating func encode(_ value: Bool, forKey key: Key) throws { raw(UInt8(value ? 1 : 0), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { raw(value.bitPattern, key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { raw(value.bitPattern, key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { raw(Int64(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { raw(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { raw(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { raw(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { raw(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { raw(UInt64(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { raw(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { raw(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { raw(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { raw(value, key) }
    mutating func encode(_ value: String, forKey key: Key) throws {
        entry(key) {
            sink.bytes.append(BinarySink.valueTag)
            sink.append(value)
        }
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try entry(key) { try sink.encodeValue(value, codingPath: codingPath + [key]) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        beginNested(key)
        return KeyedEncodingContainer(
            BinaryKeyedEncoder<NestedKey>(sink: sink, codingPath: codingPath + [key], count: sink.placeholder()))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        beginNested(key)
        return BinaryUnkeyedEncoder(sink: sink, codingPath: codingPath + [key], countOffset: sink.placeholder())
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        beginNested(key)
        return BinaryValueEncoder(sink: sink, codingPath: codingPath + [key])
    }
}

struct BinaryUnkeyedEncoder: UnkeyedEncodingContainer {
    let sink: BinarySink
    var codingPath: [any CodingKey]
    let countOffset: Int
    private(set) var count = 0
    /// `sink.open.count` when this container began: its nested containers sit above it.
    private let depth: Int

    init(sink: BinarySink, codingPath: [any CodingKey], countOffset: Int) {
        self.sink = sink
        self.codingPath = codingPath
        self.countOffset = countOffset
        depth = sink.open.count
    }

    /// Starts an element (ending the previous one's nested container) and returns its length placeholder.
    private mutating func next() -> (length: Int, start: Int) {
        sink.close(downTo: depth)
        count += 1
        sink.patch(countOffset, UInt32(count))
        let length = sink.placeholder()
        return (length, sink.position)
    }

    private mutating func element(_ body: (BinarySink) throws -> Void) rethrows {
        let (length, start) = next()
        let sink = self.sink
        try body(sink)
        sink.patch(length, UInt32(sink.position - start))
    }

    /// Starts an element that is a nested container, written after this call returns.
    private mutating func nested() {
        let (length, start) = next()
        sink.open.append((length, start))
        sink.bytes.append(BinarySink.valueTag)
    }

    mutating func encodeNil() throws { element { $0.bytes.append(BinarySink.nilTag) } }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath
        try element { try $0.encodeValue(value, codingPath: path) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        nested()
        return KeyedEncodingContainer(
            BinaryKeyedEncoder<NestedKey>(sink: sink, codingPath: codingPath, count: sink.placeholder()))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        nested()
        return BinaryUnkeyedEncoder(sink: sink, codingPath: codingPath, countOffset: sink.placeholder())
    }

    mutating func superEncoder() -> any Encoder {
        nested()
        return BinaryValueEncoder(sink: sink, codingPath: codingPath)
    }
}

/// A single value: primitives are written raw (the value's own tag was written by whoever made this encoder).
struct BinarySingleValueEncoder: SingleValueEncodingContainer {
    let sink: BinarySink
    var codingPath: [any CodingKey]

    /// A single value container replaces the `value` tag just written with `nil`'s.
    mutating func encodeNil() throws { sink.bytes[sink.bytes.count - 1] = BinarySink.nilTag }
    mutating func encode(_ value: Bool) throws { sink.bytes.append(value ? 1 : 0) }
    mutating func encode(_ value: String) throws { sink.append(value) }
    mutating func encode(_ value: Double) throws { sink.append(value.bitPattern) }
    mutating func encode(_ value: Float) throws { sink.append(value.bitPattern) }
    mutating func encode(_ value: Int) throws { sink.append(Int64(value)) }
    mutating func encode(_ value: Int8) throws { sink.append(value) }
    mutating func encode(_ value: Int16) throws { sink.append(value) }
    mutating func encode(_ value: Int32) throws { sink.append(value) }
    mutating func encode(_ value: Int64) throws { sink.append(value) }
    mutating func encode(_ value: UInt) throws { sink.append(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { sink.append(value) }
    mutating func encode(_ value: UInt16) throws { sink.append(value) }
    mutating func encode(_ value: UInt32) throws { sink.append(value) }
    mutating func encode(_ value: UInt64) throws { sink.append(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        // The tag for this value is already written; a nested value starts over with its own.
        try value.encode(to: BinaryValueEncoder(sink: sink, codingPath: codingPath))
    }
}
