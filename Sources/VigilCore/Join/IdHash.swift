/// A fast seeded 64-bit hash of an id's UTF-8 bytes for the join table.
///
/// Swift's `Hasher` is SipHash: secure but several times slower than the join's budget allows.
/// This is a multiply–xorshift hash (splitmix64 finaliser over 8-byte words); the seed keeps it
/// from being predictable to a client that wants to build colliding ids.
enum IdHash {
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &* 0xbf58_476d_1ce4_e5b9
        z ^= z >> 31
        z = z &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 29)
    }

    static func hash(_ id: String, seed: UInt64) -> UInt64 {
        var id = id
        return id.withUTF8 { bytes in
            var h = seed ^ (UInt64(bytes.count) &* 0x9e37_79b9_7f4a_7c15)
            let raw = UnsafeRawBufferPointer(bytes)
            var i = 0
            while i + 8 <= bytes.count {
                h = mix(h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            if i < bytes.count {
                var tail: UInt64 = 0
                var shift: UInt64 = 0
                while i < bytes.count {
                    tail |= UInt64(bytes[i]) << shift
                    shift += 8
                    i += 1
                }
                h = mix(h ^ tail)
            }
            return h
        }
    }
}
