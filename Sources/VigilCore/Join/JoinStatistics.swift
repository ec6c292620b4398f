/// Counters of everything the join did, so that no event is silently dropped.
public struct JoinStatistics: Sendable, Hashable, Codable {
    /// Predictions stored and counted.
    public var predictionsAccepted = 0
    /// Predictions re-sent with the same id and content: no effect.
    public var duplicatePredictions = 0
    /// Predictions re-sent with the same id and different content: rejected.
    public var conflictingPredictions = 0
    /// Predictions whose segment value was past the per-key limit and counted as `__other__`.
    public var segmentValuesFolded = 0
    /// Feedback rows that were valid (whatever their effect).
    public var feedbackAccepted = 0
    /// Predictions that received their first label.
    public var labelsApplied = 0
    /// Later feedback that changed a prediction's label (old contribution subtracted, new added).
    public var corrections = 0
    /// Feedback repeating the label in effect, or older than it: no effect.
    public var duplicateFeedback = 0
    /// Feedback rows held as orphans because their prediction had not arrived.
    public var orphansHeld = 0
    /// Orphans joined when their prediction arrived.
    public var orphansMatched = 0
    /// Orphans dropped because they were older than the orphan horizon.
    public var orphansExpired = 0
    /// Orphans dropped, oldest first, because the orphan store was full.
    public var orphansDropped = 0
    /// Orphan labels that turned out invalid for their prediction's model (e.g. label 2 for a binary model).
    public var orphansInvalid = 0
    /// Orphans waiting now.
    public var orphansPending = 0
    /// Predictions in the join index now (labeled or not).
    public var pendingPredictions = 0
    /// Predictions evicted at the label horizon.
    public var evicted = 0
    /// Of those, predictions that never got a label.
    public var evictedNeverLabeled = 0

    public init() {}

    /// Adds another shard's counters.
    mutating func add(_ other: JoinStatistics) {
        predictionsAccepted += other.predictionsAccepted
        duplicatePredictions += other.duplicatePredictions
        conflictingPredictions += other.conflictingPredictions
        segmentValuesFolded += other.segmentValuesFolded
        feedbackAccepted += other.feedbackAccepted
        labelsApplied += other.labelsApplied
        corrections += other.corrections
        duplicateFeedback += other.duplicateFeedback
        orphansHeld += other.orphansHeld
        orphansMatched += other.orphansMatched
        orphansExpired += other.orphansExpired
        orphansDropped += other.orphansDropped
        orphansInvalid += other.orphansInvalid
        orphansPending += other.orphansPending
        pendingPredictions += other.pendingPredictions
        evicted += other.evicted
        evictedNeverLabeled += other.evictedNeverLabeled
    }
}
