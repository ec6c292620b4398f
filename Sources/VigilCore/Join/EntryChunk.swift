/// A block of up to 1,024 join entries, allocated and evicted whole.
///
/// Predictions mostly arrive in time order, so the entries of one chunk have close event times and
/// the chunk can be dropped at once when its newest entry passes the label horizon: no per-entry
/// eviction queue is needed.
struct EntryChunk {
    static let capacity = 1024

    var ids: [String] = []
    var records: [EntryRecord] = []
    /// Multiclass scores: at an entry's offset, the number of classes `k`, then `k` pairs (class index, probability).
    var classScores: [Double] = []

    var minTime = Int64.max
    var maxTime = Int64.min
    var isFree = false

    var count: Int { ids.count }

    init() {
        ids.reserveCapacity(Self.capacity)
        records.reserveCapacity(Self.capacity)
    }

    /// Empties the chunk for reuse, keeping its storage.
    mutating func clear() {
        ids.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
        classScores = []
        minTime = .max
        maxTime = .min
    }

    /// Heap bytes held by this chunk.
    var allocatedBytes: Int {
        ids.capacity * MemoryLayout<String>.stride + records.capacity * MemoryLayout<EntryRecord>.stride
            + classScores.capacity * 8 + 3 * 32
    }
}
