/// A compact index of predictions awaiting (or holding) feedback, keyed by id.
///
/// Entries live in ``EntryChunk``s; an open-addressing table of 32-bit entry references
/// (linear probing, backward-shift deletion) maps ids to them. Memory per entry is the id
/// string plus ~45 bytes of columns plus ~4–11 bytes of table.
///
/// Entries stay after they are labeled, so that later corrections can be applied, until their
/// chunk is evicted at the label horizon.
struct JoinIndex {
    /// An entry's address: chunk index in the high bits, slot in the low 10 bits.
    struct Ref: Hashable {
        var raw: UInt32
        var chunk: Int { Int(raw >> 10) }
        var slot: Int { Int(raw & 1023) }
        init(chunk: Int, slot: Int) { raw = UInt32(chunk << 10 | slot) }
        init(raw: UInt32) { self.raw = raw }
    }

    private static let empty = UInt32.max
    private static let maxLoad = 0.7

    var chunks: [EntryChunk] = []
    private var freeChunks: [Int] = []
    private var openChunk = -1
    private var table: [UInt32]
    private var mask: Int
    private let seed: UInt64
    /// A chunk stops taking entries once its event times span this much, which bounds how late
    /// past the horizon an entry can be evicted.
    private let maxChunkSpan: Int64
    private(set) var count = 0

    init(seed: UInt64, maxChunkSpanMilliseconds: Int64) {
        self.seed = seed
        self.maxChunkSpan = maxChunkSpanMilliseconds
        self.table = Array(repeating: Self.empty, count: 1024)
        self.mask = 1023
    }

    // MARK: - Lookup and insertion

    func find(_ id: String) -> Ref? {
        find(id, hash: IdHash.hash(id, seed: seed))
    }

    func hash(_ id: String) -> UInt64 { IdHash.hash(id, seed: seed) }

    func find(_ id: String, hash: UInt64) -> Ref? {
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let raw = table[i]
            if raw == Self.empty { return nil }
            let ref = Ref(raw: raw)
            if chunks[ref.chunk].ids[ref.slot] == id { return ref }
            i = (i + 1) & mask
        }
    }

    /// Appends a new entry; the caller has checked that the id is absent.
    mutating func insert(
        id: String, hash: UInt64, time: Int64, scoreSlot: Double, prediction: Double, sliceSet: UInt32, flags: UInt8
    ) -> Ref {
        let c = chunkAccepting(time)
        let slot = chunks[c].count
        chunks[c].ids.append(id)
        chunks[c].times.append(time)
        chunks[c].scoreSlots.append(scoreSlot)
        chunks[c].predictions.append(prediction)
        chunks[c].labels.append(0)
        chunks[c].labelTimes.append(0)
        chunks[c].sliceSets.append(sliceSet)
        chunks[c].flags.append(flags)
        chunks[c].minTime = Swift.min(chunks[c].minTime, time)
        chunks[c].maxTime = Swift.max(chunks[c].maxTime, time)
        let ref = Ref(chunk: c, slot: slot)
        if Double(count + 1) > Double(table.count) * Self.maxLoad { grow() }
        var i = Int(truncatingIfNeeded: hash) & mask
        while table[i] != Self.empty { i = (i + 1) & mask }
        table[i] = ref.raw
        count += 1
        return ref
    }

    /// Stores multiclass scores for the entry being inserted next in chunk `c`; returns their offset.
    mutating func appendClassScores(_ scores: [(Int, Double)], forChunkAccepting time: Int64) -> Double {
        let c = chunkAccepting(time)
        let offset = chunks[c].classScores.count
        chunks[c].classScores.append(Double(scores.count))
        for (cls, p) in scores {
            chunks[c].classScores.append(Double(cls))
            chunks[c].classScores.append(p)
        }
        return Double(offset)
    }

    /// The class scores stored for an entry at `offset`.
    func classScore(_ ref: Ref, ofClass cls: Int) -> Double? {
        let arena = chunks[ref.chunk].classScores
        let offset = Int(chunks[ref.chunk].scoreSlots[ref.slot])
        guard offset < arena.count else { return nil }
        let k = Int(arena[offset])
        for j in 0..<k where Int(arena[offset + 1 + 2 * j]) == cls { return arena[offset + 2 + 2 * j] }
        return nil
    }

    private mutating func chunkAccepting(_ time: Int64) -> Int {
        if openChunk >= 0 {
            let chunk = chunks[openChunk]
            let span = Swift.max(chunk.maxTime, time) &- Swift.min(chunk.minTime, time)
            if chunk.count < EntryChunk.capacity && span <= maxChunkSpan { return openChunk }
            chunks[openChunk].isOpen = false
        }
        let c: Int
        if let reused = freeChunks.popLast() {
            c = reused
            chunks[c].isFree = false
        } else {
            c = chunks.count
            precondition(c < (1 << 22), "join index is full (4 billion entries)")
            chunks.append(EntryChunk())
        }
        chunks[c].isOpen = true
        openChunk = c
        return c
    }

    private mutating func grow() {
        let newCount = table.count * 2
        table = Array(repeating: Self.empty, count: newCount)
        mask = newCount - 1
        for c in chunks.indices where !chunks[c].isFree {
            for s in 0..<chunks[c].count {
                let h = IdHash.hash(chunks[c].ids[s], seed: seed)
                var i = Int(truncatingIfNeeded: h) & mask
                while table[i] != Self.empty { i = (i + 1) & mask }
                table[i] = Ref(chunk: c, slot: s).raw
            }
        }
    }

    // MARK: - Eviction

    /// Removes every chunk whose newest entry is older than `cutoff`, calling `visit` with each entry and
    /// whether it was labeled.
    mutating func evict(olderThan cutoff: Int64, _ visit: (Ref, Bool) -> Void) {
        for c in chunks.indices where !chunks[c].isFree && chunks[c].count > 0 && chunks[c].maxTime < cutoff {
            for s in 0..<chunks[c].count {
                let ref = Ref(chunk: c, slot: s)
                visit(ref, chunks[c].flags[s] & EntryChunk.labeledFlag != 0)
                removeFromTable(ref)
            }
            count -= chunks[c].count
            chunks[c].clear()
            chunks[c].isFree = true
            if openChunk == c { openChunk = -1 }
            freeChunks.append(c)
        }
    }

    private mutating func removeFromTable(_ ref: Ref) {
        let id = chunks[ref.chunk].ids[ref.slot]
        var i = Int(truncatingIfNeeded: IdHash.hash(id, seed: seed)) & mask
        while table[i] != ref.raw { i = (i + 1) & mask }
        table[i] = Self.empty
        // Backward-shift deletion: pull later members of the probe run into the hole so that
        // lookups never stop early at it.
        var hole = i
        var j = i
        while true {
            j = (j + 1) & mask
            let raw = table[j]
            if raw == Self.empty { return }
            let r = Ref(raw: raw)
            let home = Int(truncatingIfNeeded: IdHash.hash(chunks[r.chunk].ids[r.slot], seed: seed)) & mask
            let movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j)
            if movable {
                table[hole] = raw
                table[j] = Self.empty
                hole = j
            }
        }
    }

    // MARK: - Accounting

    /// Heap bytes held by the index: chunk columns and the hash table.
    var allocatedBytes: Int {
        chunks.reduce(0) { $0 + $1.allocatedBytes } + table.capacity * 4 + chunks.capacity * MemoryLayout<EntryChunk>.stride
    }

    /// Bytes an entry costs beyond its id string's own storage (the 16-byte `String` and any heap buffer).
    var bytesPerEntryBeyondId: Double {
        guard count > 0 else { return 0 }
        let idBytes = chunks.reduce(0) { $0 + $1.ids.capacity * MemoryLayout<String>.stride }
        return Double(allocatedBytes - idBytes) / Double(count)
    }
}
