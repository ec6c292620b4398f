/// What an accepted event did.
public enum IngestOutcome: String, Sendable, Hashable {
    /// A new prediction was stored and counted.
    case stored
    /// The same prediction again (same id and content): no effect.
    case duplicate
    /// Feedback gave a prediction its first label.
    case labeled
    /// Feedback replaced a prediction's label (a later arrival with another value).
    case corrected
    /// Feedback repeating the label in effect with a later arrival time: the label stands, its arrival time
    /// (and so the label lag) moves.
    case confirmed
    /// Feedback older than the label in effect: no effect.
    case stale
    /// Feedback held until its prediction arrives.
    case orphaned
    /// Accepted for a shard another node owns, or dropped by its shard (see ``Engine/own(_:)``): the owner
    /// applies it, and counts it a duplicate or a conflict when it is one.
    case accepted
}
