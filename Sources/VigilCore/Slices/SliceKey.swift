/// Names a slice within a model: one column's code, or two columns' codes (a conjunction), or the whole
/// traffic. Packed as `column₁ << 24 | code₁ << 16 | column₂ << 8 | code₂`, with `column₂ = 0xFF` for one column.
struct SliceKey: Hashable, Sendable, Codable {
    var raw: UInt32

    static let total = SliceKey(raw: .max)

    static func single(_ column: Int, _ code: UInt8) -> SliceKey {
        SliceKey(raw: UInt32(column) << 24 | UInt32(code) << 16 | 0xFF00)
    }

    static func pair(_ a: Int, _ codeA: UInt8, _ b: Int, _ codeB: UInt8) -> SliceKey {
        SliceKey(raw: UInt32(a) << 24 | UInt32(codeA) << 16 | UInt32(b) << 8 | UInt32(codeB))
    }

    /// The (column, code) terms of the slice: none for the total, one or two otherwise.
    var terms: [(column: Int, code: UInt8)] {
        guard self != .total else { return [] }
        let first = (Int(raw >> 24), UInt8(truncatingIfNeeded: raw >> 16))
        let second = Int((raw >> 8) & 0xFF)
        return second == 0xFF ? [first] : [first, (second, UInt8(truncatingIfNeeded: raw))]
    }

    /// Calls `body` with the key of every slice a prediction of `codes` belongs to, the total first.
    @inline(__always)
    static func forEach(in codes: UInt64, _ body: (SliceKey) -> Void) {
        body(.total)
        guard codes != 0 else { return }
        for a in 0..<SliceColumns.maxColumns {
            let codeA = UInt8(truncatingIfNeeded: codes >> (8 * UInt64(a)))
            guard codeA != SliceColumns.unsliced else { continue }
            body(single(a, codeA))
            for b in (a + 1)..<SliceColumns.maxColumns {
                let codeB = UInt8(truncatingIfNeeded: codes >> (8 * UInt64(b)))
                if codeB != SliceColumns.unsliced { body(pair(a, codeA, b, codeB)) }
            }
        }
    }
}
