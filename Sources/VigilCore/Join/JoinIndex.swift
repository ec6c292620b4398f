/// A compact index of predictions awaiting (or holding) feedback, keyed by id.
///
/// Entries live in ``EntryChunk``s; an open-addressing table of 32-bit entry references
/// (linear probing, backward-shift deletion) maps ids to them, with a parallel byte of hash per
/// slot so that a probe only dereferences an entry (a cache miss) when that byte matches.
/// Memory per entry is the id string plus a 40-byte ``EntryRecord`` plus ~7–14 bytes of table.
///
/// Entries stay after they are labeled, so that later corrections can be applied, until their
/// chunk is evicted at the label horizon.
struct JoinIndex: Codable {
    /// An entry's address: chunk index in the high bits, slot in the low 10 bits.
    struct Ref: Hashable, Codable {
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
    /// The chunk taking entries for each span of event times (`time / maxChunkSpan`): entries arriving out
    /// of time order fill the chunk of their own span instead of opening a new chunk each (a chunk's span
    /// stays within `maxChunkSpan`, as eviction needs). At most one per span of the live entries' times.
    private var openChunks: [Int64: Int] = [:]
    private var table: [UInt32]
    /// Per slot: 0 if empty, else 1...255 from the id's hash.
    private var tags: [UInt8]
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
        self.tags = Array(repeating: 0, count: 1024)
        self.mask = 1023
    }

    // MARK: - Lookup and insertion

    func find(_ id: String) -> Ref? {
        find(id, hash: IdHash.hash(id, seed: seed))
    }

    func hash(_ id: String) -> UInt64 { IdHash.hash(id, seed: seed) }

    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: hash >> 57) | 0x80 }

    func find(_ id: String, hash: UInt64) -> Ref? {
        let tag = Self.tag(hash)
        var i = Int(truncatingIfNeeded: hash) & mask
        return tags.withUnsafeBufferPointer { tags in
            while true {
                let t = tags[i]
                if t == 0 { return nil }
                if t == tag {
                    let ref = Ref(raw: table[i])
                    if chunks[ref.chunk].ids[ref.slot] == id { return ref }
                }
                i = (i + 1) & mask
            }
        }
    }

    /// Appends a new entry; the caller has checked that the id is absent.
    mutating func insert(id: String, hash: UInt64, time: Int64, value: Double, sliceSet: UInt32, flags: UInt8) -> Ref {
        // Grow before appending: growing re-places every stored entry, and the new one is placed below.
        if Double(count + 1) > Double(table.count) * Self.maxLoad { grow() }
        let c = chunkAccepting(time)
        let slot = chunks[c].count
        chunks[c].ids.append(id)
        chunks[c].records.append(
            EntryRecord(time: time, labelTime: 0, value: value, label: 0, sliceSet: sliceSet, flags: flags))
        chunks[c].minTime = Swift.min(chunks[c].minTime, time)
        chunks[c].maxTime = Swift.max(chunks[c].maxTime, time)
        let ref = Ref(chunk: c, slot: slot)
        place(ref.raw, hash: hash)
        count += 1
        return ref
    }

    /// Stores multiclass scores for the entry to be inserted next with event time `time`; returns their offset.
    mutating func appendClassScores(_ scores: [(Int, Double)], forChunkAccepting time: Int64) -> Int {
        let c = chunkAccepting(time)
        let offset = chunks[c].classScores.count
        chunks[c].classScores.append(Double(scores.count))
        for (cls, p) in scores {
            chunks[c].classScores.append(Double(cls))
            chunks[c].classScores.append(p)
        }
        return offset
    }

    /// The class scores stored for an entry at `offset`.
    func classScore(_ ref: Ref, ofClass cls: Int) -> Double? {
        let arena = chunks[ref.chunk].classScores
        let offset = chunks[ref.chunk].records[ref.slot].classScoresOffset
        guard offset < arena.count else { return nil }
        let k = Int(arena[offset])
        for j in 0..<k where Int(arena[offset + 1 + 2 * j]) == cls { return arena[offset + 2 + 2 * j] }
        return nil
    }

    private mutating func chunkAccepting(_ time: Int64) -> Int {
        let span = time.floorDivided(by: maxChunkSpan).0
        if let open = openChunks[span], chunks[open].count < EntryChunk.capacity { return open }
        let c: Int
        if let reused = freeChunks.popLast() {
            c = reused
            chunks[c].isFree = false
        } else {
            c = chunks.count
            precondition(c < (1 << 22), "join index is full (4 billion entries)")
            chunks.append(EntryChunk())
        }
        openChunks[span] = c
        return c
    }

    private mutating func place(_ raw: UInt32, hash: UInt64) {
        var i = Int(truncatingIfNeeded: hash) & mask
        while tags[i] != 0 { i = (i + 1) & mask }
        table[i] = raw
        tags[i] = Self.tag(hash)
    }

    private mutating func grow() {
        let newCount = table.count * 2
        table = Array(repeating: Self.empty, count: newCount)
        tags = Array(repeating: 0, count: newCount)
        mask = newCount - 1
        for c in chunks.indices where !chunks[c].isFree {
            for s in 0..<chunks[c].count where !chunks[c].records[s].isEvicted {
                place(Ref(chunk: c, slot: s).raw, hash: IdHash.hash(chunks[c].ids[s], seed: seed))
            }
        }
    }

    /// An entry's fixed-size fields.
    @inline(__always)
    func entry(_ ref: Ref) -> EntryRecord { chunks[ref.chunk].records[ref.slot] }

    /// Records the label in effect for an entry.
    mutating func setLabel(_ ref: Ref, _ label: Double, arrival: Int64) {
        chunks[ref.chunk].records[ref.slot].label = label
        chunks[ref.chunk].records[ref.slot].labelTime = arrival
        chunks[ref.chunk].records[ref.slot].flags |= EntryRecord.labeledFlag
    }

    // MARK: - Eviction

    /// Removes every entry older than `cutoff`, calling `visit` with each and whether it was labeled.
    ///
    /// Exact per entry, so what the join holds depends only on the entries' times and the cutoff — not on how
    /// entries fell into chunks (their arrival order, or the shard they hash to). A chunk whose newest entry
    /// is past the cutoff is freed whole; one straddling it has its old entries taken out of the table and
    /// keeps their slots until it is freed.
    mutating func evict(olderThan cutoff: Int64, _ visit: (Ref, Bool) -> Void) {
        defer { openChunks = openChunks.filter { !chunks[$0.value].isFree } }
        for c in chunks.indices where !chunks[c].isFree && chunks[c].count > 0 && chunks[c].minTime < cutoff {
            let whole = chunks[c].maxTime < cutoff
            var oldestKept = Int64.max
            for s in 0..<chunks[c].count where !chunks[c].records[s].isEvicted {
                let time = chunks[c].records[s].time
                guard time < cutoff else {
                    oldestKept = min(oldestKept, time)
                    continue
                }
                let ref = Ref(chunk: c, slot: s)
                visit(ref, chunks[c].records[s].isLabeled)
                removeFromTable(ref)
                chunks[c].records[s].flags |= EntryRecord.evictedFlag
                count -= 1
            }
            if whole {
                chunks[c].clear()
                chunks[c].isFree = true
                freeChunks.append(c)
            } else {
                chunks[c].minTime = oldestKept
            }
        }
    }

    /// Number of occupied table slots (equals `count` when the table is consistent).
    var occupiedSlots: Int { tags.reduce(0) { $0 + ($1 == 0 ? 0 : 1) } }

    private mutating func removeFromTable(_ ref: Ref) {
        let id = chunks[ref.chunk].ids[ref.slot]
        var i = Int(truncatingIfNeeded: IdHash.hash(id, seed: seed)) & mask
        while table[i] != ref.raw || tags[i] == 0 { i = (i + 1) & mask }
        table[i] = Self.empty
        tags[i] = 0
        // Backward-shift deletion: pull later members of the probe run into the hole so that
        // lookups never stop early at it.
        var hole = i
        var j = i
        while true {
            j = (j + 1) & mask
            if tags[j] == 0 { return }
            let raw = table[j]
            let r = Ref(raw: raw)
            let home = Int(truncatingIfNeeded: IdHash.hash(chunks[r.chunk].ids[r.slot], seed: seed)) & mask
            let movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j)
            if movable {
                table[hole] = raw
                tags[hole] = tags[j]
                table[j] = Self.empty
                tags[j] = 0
                hole = j
            }
        }
    }

    // MARK: - Accounting

    /// Heap bytes held by the index: chunk columns and the hash table.
    var allocatedBytes: Int {
        chunks.reduce(0) { $0 + $1.allocatedBytes } + table.capacity * 4 + tags.capacity
            + chunks.capacity * MemoryLayout<EntryChunk>.stride
    }

    /// Bytes an entry costs beyond its id string's own storage (the 16-byte `String` and any heap buffer).
    var bytesPerEntryBeyondId: Double {
        guard count > 0 else { return 0 }
        let idBytes = chunks.reduce(0) { $0 + $1.ids.capacity * MemoryLayout<String>.stride }
        return Double(allocatedBytes - idBytes) / Double(count)
    }
}
