/// A block of up to 1,024 join entries, allocated and evicted whole.
///
/// Predictions mostly arrive in time order, so the entries of one chunk have close event times and
/// the chunk can be dropped at once when its newest entry passes the label horizon: no per-entry
/// eviction queue is needed.
struct EntryChunk: Codable {
    static let capacity = 1024

    var ids: [String] = []
    var records: [EntryRecord] = []
    /// Multiclass scores: at an entry's offset, the number of classes `k`, then `k` pairs (class index, probability).
    var classScores: [Double] = []
    /// Slice codes by slot (see ``SliceColumns``), up to the last slot given any: empty in a chunk of models
    /// without features.
    var sliceCodes: [UInt64] = []

    var minTime = Int64.max
    var maxTime = Int64.min
    var isFree = false

    var count: Int { ids.count }

    /// Storage grows with the entries (a chunk of a sparse span of times costs what it holds, not 1,024 slots).
    init() {}

    /// Empties the chunk for reuse, keeping its storage.
    mutating func clear() {
        ids.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
        classScores = []
        sliceCodes = []
        minTime = .max
        maxTime = .min
    }

    /// Heap bytes held by this chunk.
    var allocatedBytes: Int {
        ids.capacity * MemoryLayout<String>.stride + records.capacity * MemoryLayout<EntryRecord>.stride
            + classScores.capacity * 8 + sliceCodes.capacity * 8 + 4 * 32
    }
}

extension EntryChunk {
    private enum CodingKeys: String, CodingKey { case ids, records, classScores, sliceCodes, minTime, maxTime, isFree }

    // Records are plain 40-byte values: a snapshot stores them as five words each, not as keyed objects.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ids, forKey: .ids)
        let words = records.withUnsafeBytes { Array($0.bindMemory(to: UInt64.self)) }
        try c.encode(words, forKey: .records)
        try c.encode(classScores, forKey: .classScores)
        try c.encode(sliceCodes, forKey: .sliceCodes)
        try c.encode(minTime, forKey: .minTime)
        try c.encode(maxTime, forKey: .maxTime)
        try c.encode(isFree, forKey: .isFree)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ids = try c.decode([String].self, forKey: .ids)
        let words = try c.decode([UInt64].self, forKey: .records)
        let stride = MemoryLayout<EntryRecord>.stride / 8
        guard words.count == ids.count * stride else {
            throw DecodingError.dataCorruptedError(
                forKey: .records, in: c, debugDescription: "expected \(ids.count) records of \(stride) words")
        }
        records = words.withUnsafeBytes { Array($0.bindMemory(to: EntryRecord.self)) }
        classScores = try c.decode([Double].self, forKey: .classScores)
        sliceCodes = try c.decode([UInt64].self, forKey: .sliceCodes)
        minTime = try c.decode(Int64.self, forKey: .minTime)
        maxTime = try c.decode(Int64.self, forKey: .maxTime)
        isFree = try c.decode(Bool.self, forKey: .isFree)
    }
}
