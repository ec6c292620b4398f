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

    private var byId: [String: Held] = [:]
    /// Ids in arrival order of their first row, for expiry and overflow; stale entries are skipped.
    private var queue: [Queued] = []
    private var head = 0
    private var nextSequence = 0
    let capacity: Int

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
            return (changed ? .corrected : .confirmed, 0)
        }
        var dropped = 0
        while byId.count >= capacity, let oldest = popOldest() {
            byId[oldest] = nil
            dropped += 1
        }
        byId[id] = Held(time: time, label: label, sequence: nextSequence)
        queue.append(Queued(id: id, sequence: nextSequence))
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
        while head < queue.count {
            let (id, seq) = (queue[head].id, queue[head].sequence)
            guard let held = byId[id], held.sequence == seq else {
                head += 1
                continue
            }
            guard held.time < cutoff else { break }
            byId[id] = nil
            head += 1
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
        if head > 4096 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
    }
}
