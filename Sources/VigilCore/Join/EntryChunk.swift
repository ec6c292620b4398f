/// A block of join entries stored column by column, allocated and evicted whole.
///
/// Predictions mostly arrive in time order, so the entries of one chunk have close event times and
/// the chunk can be dropped at once when its newest entry passes the label horizon: no per-entry
/// eviction queue is needed, and the columns stay contiguous.
struct EntryChunk {
    static let capacity = 1024

    var ids: [String] = []
    var times: [Int64] = []
    /// Binary: the score. Multiclass: the offset of the entry's class scores in `classScores`.
    var scoreSlots: [Double] = []
    /// Binary: 0/1. Multiclass: class index. Regression: the predicted number.
    var predictions: [Double] = []
    /// The label in effect, encoded like `predictions`; meaningful when `flags & labeledFlag`.
    var labels: [Double] = []
    /// Arrival time of the label in effect.
    var labelTimes: [Int64] = []
    /// Which series (model × version × segment values) the entry contributes to.
    var sliceSets: [UInt32] = []
    var flags: [UInt8] = []
    /// Multiclass scores: at an entry's offset, the number of classes `k`, then `k` pairs (class index, probability).
    var classScores: [Double] = []

    var minTime = Int64.max
    var maxTime = Int64.min
    var isOpen = false
    var isFree = false

    static let labeledFlag: UInt8 = 1
    static let hasScoreFlag: UInt8 = 2

    var count: Int { ids.count }

    init() {
        reserve()
    }

    mutating func reserve() {
        ids.reserveCapacity(Self.capacity)
        times.reserveCapacity(Self.capacity)
        scoreSlots.reserveCapacity(Self.capacity)
        predictions.reserveCapacity(Self.capacity)
        labels.reserveCapacity(Self.capacity)
        labelTimes.reserveCapacity(Self.capacity)
        sliceSets.reserveCapacity(Self.capacity)
        flags.reserveCapacity(Self.capacity)
    }

    /// Empties the chunk for reuse, keeping its storage.
    mutating func clear() {
        ids.removeAll(keepingCapacity: true)
        times.removeAll(keepingCapacity: true)
        scoreSlots.removeAll(keepingCapacity: true)
        predictions.removeAll(keepingCapacity: true)
        labels.removeAll(keepingCapacity: true)
        labelTimes.removeAll(keepingCapacity: true)
        sliceSets.removeAll(keepingCapacity: true)
        flags.removeAll(keepingCapacity: true)
        classScores = []
        minTime = .max
        maxTime = .min
        isOpen = false
    }

    /// Heap bytes held by this chunk's columns.
    var allocatedBytes: Int {
        ids.capacity * MemoryLayout<String>.stride + times.capacity * 8 + scoreSlots.capacity * 8
            + predictions.capacity * 8 + labels.capacity * 8 + labelTimes.capacity * 8 + sliceSets.capacity * 4
            + flags.capacity + classScores.capacity * 8 + 8 * 32
    }
}
