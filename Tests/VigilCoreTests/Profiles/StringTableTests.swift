import Foundation
import Testing

@testable import VigilCore

/// The string table counts exactly as a `Dictionary` does, and compares, hashes and encodes by content.
@Suite struct StringTableTests {
    static func words(_ n: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in
            let length = Int(rng.next() % 40)
            return String((0..<length).map { _ in Character(UnicodeScalar(UInt8(97 + rng.next() % 6))) })
                + (rng.next() % 9 == 0 ? "é" : "")
        }
    }

    @Test func countsAsADictionaryDoes() {
        var table = StringTable<Int64>()
        var reference: [String: Int64] = [:]
        for w in Self.words(20_000, seed: 1) {
            table.update(w, default: 0) { $0 += 1 }
            reference[w, default: 0] += 1
        }
        #expect(table.count == reference.count && table.count > 1000)
        #expect(table.dictionary == reference)
        #expect(reference.keys.allSatisfy { table[$0] == reference[$0] })
        #expect(table["not-a-word-1234"] == nil)
    }

    @Test func equalityHashAndCodingIgnoreInsertionOrder() throws {
        let words = Array(Set(Self.words(3000, seed: 2)))
        var a = StringTable<Int>()
        var b = StringTable<Int>()
        for (i, w) in words.enumerated() { a[w] = i }
        for (i, w) in words.enumerated().reversed() { b[w] = i }
        #expect(a == b && a.hashValue == b.hashValue)
        b[words[0]] = -1
        #expect(a != b)
        let decoded = try JSONDecoder().decode(StringTable<Int>.self, from: JSONEncoder().encode(a))
        #expect(decoded == a && decoded.dictionary == a.dictionary)
    }
}
