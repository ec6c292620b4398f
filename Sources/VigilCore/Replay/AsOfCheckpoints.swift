/// Saved states of an event-time replay, so an as-of question starts from the nearest one at or before its
/// time instead of from the beginning of history.
///
/// A checkpoint at time `t` is the engine after every event at or before `t` (predictions by event time,
/// feedback by arrival time, in ``ReplayCursor`` order), built from the log as it stood at `sequence`.
/// It stays valid while nothing logged after `sequence` belongs at or before `t`; the caller checks that
/// against its log and drops stale checkpoints with ``removeAll(where:)``.
///
/// Checkpoints sit on multiples of `spacing` (UTC days by default), and at most `capacity` are kept: the
/// least recently used goes first. Each holds a whole engine, so memory is about `capacity` times the
/// engine's size at those times.
///
/// ```swift
/// var checkpoints = AsOfCheckpoints(spacing: .seconds(86_400), capacity: 4)
/// let start = checkpoints.nearest(atOrBefore: t)   // nil: replay from the beginning
/// for b in checkpoints.boundaries(after: start?.time, through: t) { … checkpoints.insert(…) }
/// ```
public struct AsOfCheckpoints: Sendable {
    public struct Checkpoint: Sendable {
        /// Every event at or before this time is in `engine`, and no later one.
        public var time: Timestamp
        /// The log's last position when the checkpoint was built.
        public var sequence: Int64
        /// The log's first position then: retention dropping batches makes the checkpoint stale.
        public var first: Int64
        public var engine: Engine
        /// For least-recently-used eviction.
        fileprivate var lastUse: Int = 0

        public init(time: Timestamp, sequence: Int64, first: Int64, engine: Engine) {
            self.time = time
            self.sequence = sequence
            self.first = first
            self.engine = engine
        }
    }

    public let spacing: Duration
    public let capacity: Int
    /// Ascending by time, at most one per time.
    public private(set) var all: [Checkpoint] = []
    private var uses = 0

    /// - Parameters:
    ///   - spacing: checkpoints sit on multiples of this (from the Unix epoch); positive.
    ///   - capacity: checkpoints kept (0 keeps none: every replay starts from the beginning).
    public init(spacing: Duration, capacity: Int) {
        precondition(spacing > .zero, "checkpoint spacing must be positive")
        self.spacing = spacing
        self.capacity = max(0, capacity)
    }

    /// The latest checkpoint at or before `t`, marked as used.
    public mutating func nearest(atOrBefore t: Timestamp) -> Checkpoint? {
        guard let i = all.lastIndex(where: { $0.time <= t }) else { return nil }
        uses += 1
        all[i].lastUse = uses
        return all[i]
    }

    /// Keeps `checkpoint`, replacing one at the same time, and evicts the least recently used past capacity.
    public mutating func insert(_ checkpoint: Checkpoint) {
        guard capacity > 0 else { return }
        var c = checkpoint
        uses += 1
        c.lastUse = uses
        all.removeAll { $0.time == c.time }
        all.insert(c, at: all.firstIndex { $0.time > c.time } ?? all.endIndex)
        while all.count > capacity {
            let oldest = all.indices.min { all[$0].lastUse < all[$1].lastUse }!
            all.remove(at: oldest)
        }
    }

    public mutating func removeAll(where stale: (Checkpoint) throws -> Bool) rethrows {
        try all.removeAll(where: stale)
    }

    /// The checkpoint times a replay from `start` (exclusive; the beginning when `nil`) through `end` passes,
    /// ascending. A replay from the beginning saves only the last `capacity` of them, since older ones would
    /// be evicted by the newer anyway.
    public func boundaries(after start: Timestamp?, through end: Timestamp) -> [Timestamp] {
        guard capacity > 0 else { return [] }
        let s = spacing.milliseconds
        let last = end.milliseconds.floorDivided(by: s).0
        var first = last - Int64(capacity) + 1
        if let start { first = max(first, start.milliseconds.floorDivided(by: s).0 + 1) }
        guard first <= last else { return [] }
        return (first...last).map { Timestamp(milliseconds: $0 * s) }
    }
}
