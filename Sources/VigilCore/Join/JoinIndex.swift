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
    /// The table being left behind while the index grows (empty otherwise), and how far its slots have been
    /// moved into `table`. Growth is incremental: each insert moves a few slots, so no insert re-places
    /// millions of entries at once (which stalled ingest and every query waiting for it).
    private var oldTable: [UInt32] = []
    private var oldTags: [UInt8] = []
    private var oldMask = 0
    private var migrated = 0
    /// Old slots moved per insert: with growth starting at 0.7 load, the old table is emptied when the new
    /// one is below 0.5.
    private static let slotsPerInsert = 4
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
        if let ref = probe(id, hash: hash, table, tags, mask) { return ref }
        // While growing, an entry not moved yet is still in the old table.
        return oldTags.isEmpty ? nil : probe(id, hash: hash, oldTable, oldTags, oldMask)
    }

    @inline(__always)
    private func probe(_ id: String, hash: UInt64, _ table: [UInt32], _ tags: [UInt8], _ mask: Int) -> Ref? {
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
        if !oldTags.isEmpty {
            moveOldSlots(Self.slotsPerInsert)
        } else if Double(count + 1) > Double(table.count) * Self.maxLoad {
            startGrowth()
        }
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

    /// Doubles the table: new entries go to the new one, and inserts move the old one's over a few at a time.
    private mutating func startGrowth() {
        let newCount = table.count * 2
        oldTable = table
        oldTags = tags
        oldMask = mask
        migrated = 0
        table = Array(repeating: Self.empty, count: newCount)
        tags = Array(repeating: 0, count: newCount)
        mask = newCount - 1
    }

    /// Moves up to `n` slots of the old table into the new one; frees the old table once all are moved.
    private mutating func moveOldSlots(_ n: Int) {
        let end = Swift.min(oldTags.count, migrated + n)
        while migrated < end {
            if oldTags[migrated] != 0 {
                let raw = oldTable[migrated]
                let r = Ref(raw: raw)
                place(raw, hash: IdHash.hash(chunks[r.chunk].ids[r.slot], seed: seed))
            }
            migrated += 1
        }
        if migrated == oldTags.count {
            oldTable = []
            oldTags = []
        }
    }

    /// Whether the old table of a growth is still being moved.
    var isGrowing: Bool { !oldTags.isEmpty }

    /// Moves every slot left in the old table (before entries leave: removal works on one table).
    private mutating func finishGrowth() {
        if !oldTags.isEmpty { moveOldSlots(oldTags.count) }
    }

    /// An entry's fixed-size fields.
    @inline(__always)
    func entry(_ ref: Ref) -> EntryRecord { chunks[ref.chunk].records[ref.slot] }

    /// The slice codes stored for an entry (0 when none were).
    func sliceCodes(_ ref: Ref) -> UInt64 {
        let codes = chunks[ref.chunk].sliceCodes
        return ref.slot < codes.count ? codes[ref.slot] : 0
    }

    mutating func setSliceCodes(_ ref: Ref, _ codes: UInt64) {
        guard codes != 0 || ref.slot < chunks[ref.chunk].sliceCodes.count else { return }
        if chunks[ref.chunk].sliceCodes.count <= ref.slot {
            chunks[ref.chunk].sliceCodes.append(
                contentsOf: repeatElement(0, count: ref.slot + 1 - chunks[ref.chunk].sliceCodes.count))
        }
        chunks[ref.chunk].sliceCodes[ref.slot] = codes
    }

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
            finishGrowth()
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
    var occupiedSlots: Int {
        tags.reduce(0) { $0 + ($1 == 0 ? 0 : 1) }
            + oldTags[Swift.min(migrated, oldTags.count)...].reduce(0) { $0 + ($1 == 0 ? 0 : 1) }
    }

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
        chunks.reduce(0) { $0 + $1.allocatedBytes } + (table.capacity + oldTable.capacity) * 4 + tags.capacity
            + oldTags.capacity
            + chunks.capacity * MemoryLayout<EntryChunk>.stride
    }

    /// Bytes an entry costs beyond its id string's own storage (the 16-byte `String` and any heap buffer).
    var bytesPerEntryBeyondId: Double {
        guard count > 0 else { return 0 }
        let idBytes = chunks.reduce(0) { $0 + $1.ids.capacity * MemoryLayout<String>.stride }
        return Double(allocatedBytes - idBytes) / Double(count)
    }
}
