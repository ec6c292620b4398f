import HeapModule

/// Feedback whose prediction has not arrived (yet), held until it does, bounded in count and age.
///
/// For each id only the latest label by arrival time is kept (the join's correction rule).
/// Orphans leave by matching a prediction, by expiring (older than the orphan horizon), or, when
/// the store is full, oldest first; every way out is counted in ``JoinStatistics``.
struct OrphanStore: Codable {
    struct Queued: Codable {
        var id: String
        var sequence: Int
    }

    struct Held: Codable {
        var time: Int64
        var label: Outcome
        var sequence: Int
    }

    /// When a held label expires: its time, with the id and sequence to tell a current entry from a stale one.
    struct Expiry: Comparable, Codable {
        var time: Int64
        var sequence: Int
        var id: String

        static func < (a: Expiry, b: Expiry) -> Bool { (a.time, a.sequence) < (b.time, b.sequence) }
    }

    private var byId: [String: Held] = [:]
    /// Ids in arrival order of their first row, for overflow; stale entries are skipped.
    private var queue: [Queued] = []
    /// Every held label by time (a correction adds an entry; the one it replaces is skipped when popped), so
    /// expiry drops exactly the orphans older than the horizon, whatever order they came in — and so does
    /// each shard of an engine, whichever of the orphans it holds.
    private var expiries = Heap<Expiry>()
    private var head = 0
    private var nextSequence = 0
    let capacity: Int

    private enum CodingKeys: String, CodingKey {
        case byId, queue, head, nextSequence, capacity, expiries
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        byId = try c.decode([String: Held].self, forKey: .byId)
        queue = try c.decode([Queued].self, forKey: .queue)
        head = try c.decode(Int.self, forKey: .head)
        nextSequence = try c.decode(Int.self, forKey: .nextSequence)
        capacity = try c.decode(Int.self, forKey: .capacity)
        expiries = Heap(try c.decode([Expiry].self, forKey: .expiries))
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(byId, forKey: .byId)
        try c.encode(queue, forKey: .queue)
        try c.encode(head, forKey: .head)
        try c.encode(nextSequence, forKey: .nextSequence)
        try c.encode(capacity, forKey: .capacity)
        try c.encode(Array(expiries.unordered), forKey: .expiries)
    }

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { byId.count }
    var isEmpty: Bool { byId.isEmpty }

    enum HoldResult { case held, duplicate, confirmed, corrected, stale }

    /// Holds `label` for `id`, keeping the latest arrival. Returns the number of orphans pushed out for room.
    mutating func hold(id: String, time: Int64, label: Outcome) -> (HoldResult, dropped: Int) {
        if var held = byId[id] {
            if time < held.time || (time == held.time && held.label == label) {
                return (time == held.time ? .duplicate : .stale, 0)
            }
            // The same tie rule as for joined labels, so the outcome does not depend on arrival order.
            if time == held.time && !Engine.winsTie(label, over: held.label) { return (.stale, 0) }
            let changed = held.label != label
            held.time = time
            held.label = label
            byId[id] = held
            expiries.insert(Expiry(time: time, sequence: held.sequence, id: id))
            return (changed ? .corrected : .confirmed, 0)
        }
        var dropped = 0
        while byId.count >= capacity, let oldest = popOldest() {
            byId[oldest] = nil
            dropped += 1
        }
        byId[id] = Held(time: time, label: label, sequence: nextSequence)
        queue.append(Queued(id: id, sequence: nextSequence))
        expiries.insert(Expiry(time: time, sequence: nextSequence, id: id))
        nextSequence += 1
        return (.held, dropped)
    }

    /// Takes the orphan label for `id`, if any.
    mutating func take(_ id: String) -> Held? {
        byId.removeValue(forKey: id)
    }

    /// Drops orphans whose latest label arrived before `cutoff`; returns how many.
    mutating func expire(before cutoff: Int64) -> Int {
        var expired = 0
        while let next = expiries.min, next.time < cutoff {
            expiries.removeMin()
            // Skip an entry of an orphan taken, dropped, or corrected to a later time since.
            guard let held = byId[next.id], held.sequence == next.sequence, held.time == next.time else { continue }
            byId[next.id] = nil
            expired += 1
        }
        compact()
        return expired
    }

    private mutating func popOldest() -> String? {
        while head < queue.count {
            let (id, seq) = (queue[head].id, queue[head].sequence)
            head += 1
            if let held = byId[id], held.sequence == seq { return id }
        }
        return nil
    }

    private mutating func compact() {
        // Orphans taken by their prediction leave their queue entry behind; drop the head's stale run.
        while head < queue.count, byId[queue[head].id]?.sequence != queue[head].sequence { head += 1 }
        if head > 4096 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
    }
}
