import NIOCore

/// Checks what zlib's inflate does not: that a gzip body is one complete member (RFC 1952) whose trailer —
/// the CRC-32 and the length of the data — matches what was decompressed. inflate stops quietly at a flush
/// point of a truncated stream, so without this a body cut in transit is accepted in part.
enum GzipFraming {
    enum Problem: Error, Equatable {
        case header
        case trailer
    }

    /// The member's header: magic bytes `1f 8b` and the deflate method.
    static func checkHeader(_ compressed: ByteBuffer) throws(Problem) {
        guard compressed.readableBytes >= 18,
            let magic = compressed.getBytes(at: compressed.readerIndex, length: 3),
            magic == [0x1F, 0x8B, 0x08]
        else { throw .header }
    }

    /// The trailer (the last 8 bytes: CRC-32 and size modulo 2³², little-endian) against the output.
    static func checkTrailer(_ compressed: ByteBuffer, output: ByteBuffer) throws(Problem) {
        let end = compressed.writerIndex
        guard let crc = compressed.getInteger(at: end - 8, endianness: .little, as: UInt32.self),
            let size = compressed.getInteger(at: end - 4, endianness: .little, as: UInt32.self),
            size == UInt32(truncatingIfNeeded: output.readableBytes),
            crc == output.withUnsafeReadableBytes({ CRC32.checksum($0) })
        else { throw .trailer }
    }
}

/// CRC-32 (ISO-HDLC, the polynomial gzip and zip use), table-driven.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }
}
