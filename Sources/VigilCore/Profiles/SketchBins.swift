/// The bin counts of one sign of a ``QuantileSketch``: a dense array over the span of bin indexes seen.
///
/// Values of one column land in a narrow run of neighbouring bins (a 1 % sketch covers a factor of 10 in 116
/// bins), so an array indexed from the lowest bin is smaller than a dictionary and costs no hashing on the
/// per-row path. Empty bins inside the span hold 0.
struct SketchBins: Sendable {
    /// The bin index of `counts[0]`.
    private(set) var offset: Int32 = 0
    private(set) var counts: [Int64] = []

    /// Bins spanned, empty ones included.
    var span: Int { counts.count }

    @inline(__always)
    mutating func add(_ index: Int32, _ n: Int64) {
        let i = Int(index) - Int(offset)
        if i >= 0 && i < counts.count {
            counts[i] += n
        } else {
            addOutside(index, n)
        }
    }

    private mutating func addOutside(_ index: Int32, _ n: Int64) {
        if counts.isEmpty {
            offset = index
            counts = [n]
        } else if index < offset {
            counts.insert(contentsOf: repeatElement(0, count: Int(offset) - Int(index)), at: 0)
            offset = index
            counts[0] = n
        } else {
            counts.append(contentsOf: repeatElement(0, count: Int(index) - Int(offset) - counts.count + 1))
            counts[counts.count - 1] = n
        }
    }

    /// Folds the lowest bins (nearest zero) into the one above them so that at most `limit` are spanned.
    mutating func collapse(to limit: Int) {
        let excess = counts.count - limit
        guard excess > 0 else { return }
        let folded = counts[..<excess].reduce(0, +)
        counts.removeFirst(excess)
        offset += Int32(excess)
        counts[0] += folded
    }

    /// The non-empty bins in ascending index order.
    func forEach(_ body: (_ index: Int32, _ count: Int64) -> Void) {
        for (k, n) in counts.enumerated() where n != 0 { body(offset + Int32(k), n) }
    }

    /// The non-empty bins by index (the sketch's stored form).
    var dictionary: [Int32: Int64] {
        var d: [Int32: Int64] = [:]
        forEach { d[$0] = $1 }
        return d
    }

    var allocatedBytes: Int { counts.capacity * 8 }
}

extension SketchBins: Hashable {
    // By content: leading or trailing empty bins left by a collapse or a merge do not make two sketches differ.
    static func == (a: SketchBins, b: SketchBins) -> Bool { a.dictionary == b.dictionary }
    func hash(into h: inout Hasher) {
        forEach {
            h.combine($0); h.combine($1)
        }
    }
}
