import Foundation

/// Reads what ``BinaryEncoder`` wrote.
public struct BinaryDecoder {
    public init() {}

    /// Decodes in place: the bytes are read where they are, not copied.
    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try data.withUnsafeBytes { raw in
            try BinarySource(raw).decodeValue(T.self, codingPath: [])
        }
    }
}

/// The input of one decoding: the bytes (valid while the decoding runs) and a read position.
final class BinarySource {
    private let buffer: UnsafeRawBufferPointer
    var position = 0
    let end: Int

    init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
        end = buffer.count
    }

    func corrupt(_ what: String, _ path: [any CodingKey]) -> DecodingError {
        .dataCorrupted(.init(codingPath: path, debugDescription: "snapshot: \(what) at byte \(position)"))
    }

    @inline(__always) func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard position + size <= end else { throw corrupt("unexpected end", []) }
        let v = buffer.loadUnaligned(fromByteOffset: position, as: T.self)
        position += size
        return T(littleEndian: v)
    }

    @inline(__always) func readByte() throws -> UInt8 { try read(UInt8.self) }

    func readString() throws -> String {
        let n = Int(try read(UInt32.self))
        guard position + n <= end else { throw corrupt("string past the end", []) }
        let s = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[position..<(position + n)]), as: UTF8.self)
        position += n
        return s
    }

    /// Whether the key stored at `offset` (a length and UTF-8) equals `key`.
    func keyEquals(_ offset: Int, _ key: String) -> Bool {
        let n = Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        var key = key
        return key.withUTF8 { utf8 in
            utf8.count == n
                && (n == 0
                    || memcmp(buffer.baseAddress! + offset + 4, utf8.baseAddress!, n) == 0)
        }
    }

    func string(at offset: Int) -> String {
        let saved = position
        position = offset
        defer { position = saved }
        return (try? readString()) ?? ""
    }

    /// Reads a value with its tag: bulk arrays directly, everything else through `Decodable`.
    func decodeValue<T: Decodable>(_ type: T.Type, codingPath: [any CodingKey]) throws -> T {
        let tag = try readByte()
        if tag == BinarySink.bulkTag { return try readBulk(T.self, codingPath) }
        guard tag == BinarySink.valueTag || tag == BinarySink.nilTag else {
            throw corrupt("bad tag \(tag)", codingPath)
        }
        return try T(from: BinaryValueDecoder(source: self, codingPath: codingPath, isNil: tag == BinarySink.nilTag))
    }

    private func readBulk<T>(_ type: T.Type, _ path: [any CodingKey]) throws -> T {
        guard let kind = BinarySink.BulkKind(rawValue: try readByte()) else { throw corrupt("bad bulk kind", path) }
        let n = Int(try read(UInt32.self))
        let value: Any
        switch kind {
        case .uint8: value = try raw(UInt8.self, n)
        case .uint16: value = try raw(UInt16.self, n)
        case .uint32: value = try raw(UInt32.self, n)
        case .int32: value = try raw(Int32.self, n)
        case .uint64: value = try raw(UInt64.self, n)
        case .int64: value = try raw(Int64.self, n)
        case .int: value = try raw(Int64.self, n).map { Int($0) }
        case .double: value = try raw(UInt64.self, n).map { Double(bitPattern: $0) }
        case .bool: value = try raw(UInt8.self, n).map { $0 != 0 }
        case .uint32Pairs:
            value = try raw(UInt32.self, 2 * n).withUnsafeBytes { Array($0.bindMemory(to: SIMD2<UInt32>.self)) }
        case .double32:
            let lanes = try raw(UInt64.self, n)
            guard lanes.count == 32 else { throw corrupt("SIMD32 of \(lanes.count) lanes", path) }
            var v = SIMD32<Double>()
            for i in 0..<32 { v[i] = Double(bitPattern: lanes[i]) }
            value = v
        case .string:
            var strings: [String] = []
            strings.reserveCapacity(n)
            for _ in 0..<n { strings.append(try readString()) }
            value = strings
        }
        guard let typed = value as? T else { throw corrupt("a bulk \(kind) where \(T.self) was expected", path) }
        return typed
    }

    private func raw<E: FixedWidthInteger>(_: E.Type, _ n: Int) throws -> [E] {
        let size = n * MemoryLayout<E>.size
        guard position + size <= end else { throw corrupt("bulk array past the end", []) }
        let out = [E](unsafeUninitializedCapacity: n) { dest, initialized in
            memcpy(dest.baseAddress!, buffer.baseAddress! + position, size)
            initialized = n
        }
        position += size
        return out
    }
}

struct BinaryValueDecoder: Decoder {
    let source: BinarySource
    var codingPath: [any CodingKey]
    let isNil: Bool
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try BinaryKeyedDecoder<Key>(source: source, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try BinaryUnkeyedDecoder(source: source, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        BinarySingleValueDecoder(source: source, codingPath: codingPath, isNil: isNil)
    }
}

/// A keyed container: its entries are listed when it is opened (keys and value ranges), then read in any order.
struct BinaryKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    struct Entry {
        var key: Int
        var value: Int
    }

    let source: BinarySource
    var codingPath: [any CodingKey]
    private let entries: [Entry]
    /// Where the container ends: each read returns the source here.
    private let end: Int
    /// Entries are usually read in the order they were written: the next one is tried first.
    private final class Hint { var next = 0 }
    private let hint = Hint()

    init(source: BinarySource, codingPath: [any CodingKey]) throws {
        self.source = source
        self.codingPath = codingPath
        let count = Int(try source.read(UInt32.self))
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let key = source.position
            let keyLength = Int(try source.read(UInt32.self))
            source.position += keyLength
            let length = Int(try source.read(UInt32.self))
            entries.append(Entry(key: key, value: source.position))
            source.position += length
            guard source.position <= source.end else { throw source.corrupt("entry past the end", codingPath) }
        }
        self.entries = entries
        end = source.position
    }

    var allKeys: [Key] { entries.compactMap { Key(stringValue: source.string(at: $0.key)) } }

    private func find(_ key: Key) -> Entry? {
        let name = key.stringValue
        let h = hint.next
        if h < entries.count, source.keyEquals(entries[h].key, name) {
            hint.next = h + 1
            return entries[h]
        }
        guard let i = entries.firstIndex(where: { source.keyEquals($0.key, name) }) else { return nil }
        hint.next = i + 1
        return entries[i]
    }

    private func at<T>(_ key: Key, _ body: () throws -> T) throws -> T {
        guard let entry = find(key) else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "snapshot: no entry '\(key.stringValue)'"))
        }
        source.position = entry.value
        defer { source.position = end }
        return try body()
    }

    func contains(_ key: Key) -> Bool { entries.contains { source.keyEquals($0.key, key.stringValue) } }

    func decodeNil(forKey key: Key) throws -> Bool {
        try at(key) { try source.readByte() == BinarySink.nilTag }
    }

    private func raw<T: FixedWidthInteger>(_ type: T.Type, _ key: Key) throws -> T {
        try at(key) {
            guard try source.readByte() == BinarySink.valueTag else {
                throw source.corrupt("nil where \(T.self) was expected", codingPath + [key])
            }
            return try source.read(T.self)
        }
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try raw(UInt8.self, key) != 0 }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        Double(bitPattern: try raw(UInt64.self, key))
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        Float(bitPattern: try raw(UInt32.self, key))
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { Int(try raw(Int64.self, key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try raw(Int8.self, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try raw(Int16.self, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try raw(Int32.self, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try raw(Int64.self, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { UInt(try raw(UInt64.self, key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try raw(UInt8.self, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try raw(UInt16.self, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try raw(UInt32.self, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try raw(UInt64.self, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try at(key) {
            guard try source.readByte() == BinarySink.valueTag else {
                throw source.corrupt("nil where a string was expected", codingPath + [key])
            }
            return try source.readString()
        }
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let path = codingPath + [key]
        return try at(key) { try source.decodeValue(T.self, codingPath: path) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let path = codingPath + [key]
        return try at(key) {
            _ = try source.readByte()
            return KeyedDecodingContainer(try BinaryKeyedDecoder<NestedKey>(source: source, codingPath: path))
        }
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        // The unkeyed container reads lazily from its own position, so it outlives this call's reset.
        let path = codingPath + [key]
        return try at(key) {
            _ = try source.readByte()
            return try BinaryUnkeyedDecoder(source: source, codingPath: path)
        }
    }

    func superDecoder() throws -> any Decoder { try superDecoder(forKey: Key(stringValue: "super")!) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        let path = codingPath + [key]
        return try at(key) {
            let tag = try source.readByte()
            return BinaryLazyDecoder(source: source, codingPath: path, offset: source.position, isNil: tag == 0)
        }
    }
}

/// An unkeyed container: elements in order, each read from where the last one ended.
struct BinaryUnkeyedDecoder: UnkeyedDecodingContainer {
    let source: BinarySource
    var codingPath: [any CodingKey]
    let count: Int?
    private(set) var currentIndex = 0
    /// Where the next element starts (other containers move the shared position in between).
    private var offset: Int

    init(source: BinarySource, codingPath: [any CodingKey]) throws {
        self.source = source
        self.codingPath = codingPath
        count = Int(try source.read(UInt32.self))
        offset = source.position
    }

    var isAtEnd: Bool { currentIndex >= count! }

    /// Reads the next element (its length first), then moves past it whatever the body read.
    private mutating func next<T>(_ body: (BinarySource) throws -> T) throws -> T {
        guard !isAtEnd else { throw source.corrupt("read past the last element", codingPath) }
        source.position = offset
        let length = Int(try source.read(UInt32.self))
        let start = source.position
        guard start + length <= source.end else { throw source.corrupt("element past the end", codingPath) }
        let value = try body(source)
        offset = start + length
        source.position = offset
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        let saved = offset
        let isNil = try next { source in try source.readByte() == BinarySink.nilTag }
        if !isNil {
            offset = saved
            currentIndex -= 1
        }
        return isNil
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let path = codingPath
        return try next { source in try source.decodeValue(T.self, codingPath: path) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let path = codingPath
        return try next { source in
            _ = try source.readByte()
            return KeyedDecodingContainer(try BinaryKeyedDecoder<NestedKey>(source: source, codingPath: path))
        }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        // The nested container's elements follow; this container moves past them only once they are read,
        // which `Codable` types do before reading further elements here.
        let path = codingPath
        return try next { source in
            _ = try source.readByte()
            return try BinaryUnkeyedDecoder(source: source, codingPath: path)
        }
    }

    mutating func superDecoder() throws -> any Decoder {
        let path = codingPath
        return try next { source in
            let tag = try source.readByte()
            return BinaryLazyDecoder(source: source, codingPath: path, offset: source.position, isNil: tag == 0)
        }
    }
}

/// A decoder that starts reading at a saved offset (for `superDecoder`).
struct BinaryLazyDecoder: Decoder {
    let source: BinarySource
    var codingPath: [any CodingKey]
    let offset: Int
    let isNil: Bool
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        source.position = offset
        return try BinaryValueDecoder(source: source, codingPath: codingPath, isNil: isNil).container(keyedBy: type)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        source.position = offset
        return try BinaryValueDecoder(source: source, codingPath: codingPath, isNil: isNil).unkeyedContainer()
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        source.position = offset
        return BinarySingleValueDecoder(source: source, codingPath: codingPath, isNil: isNil)
    }
}

struct BinarySingleValueDecoder: SingleValueDecodingContainer {
    let source: BinarySource
    var codingPath: [any CodingKey]
    let isNil: Bool

    func decodeNil() -> Bool { isNil }
    func decode(_ type: Bool.Type) throws -> Bool { try source.readByte() != 0 }
    func decode(_ type: String.Type) throws -> String { try source.readString() }
    func decode(_ type: Double.Type) throws -> Double { Double(bitPattern: try source.read(UInt64.self)) }
    func decode(_ type: Float.Type) throws -> Float { Float(bitPattern: try source.read(UInt32.self)) }
    func decode(_ type: Int.Type) throws -> Int { Int(try source.read(Int64.self)) }
    func decode(_ type: Int8.Type) throws -> Int8 { try source.read(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try source.read(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try source.read(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try source.read(Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { UInt(try source.read(UInt64.self)) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try source.read(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try source.read(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try source.read(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try source.read(UInt64.self) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        // Written without a tag of its own: the enclosing value's tag covers it.
        try T(from: BinaryValueDecoder(source: source, codingPath: codingPath, isNil: false))
    }
}
