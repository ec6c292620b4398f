/// Ground truth for one prediction, joined by `id`.
///
/// Feedback may arrive before its prediction, long after it, twice, or corrected: for each id the
/// row with the latest arrival `time` is the truth.
public struct Feedback: Hashable, Sendable {
    public var id: String
    /// Arrival time of the label.
    public var time: Timestamp
    public var label: Outcome

    public init(id: String, time: Timestamp, label: Outcome) {
        self.id = id
        self.time = time
        self.label = label
    }
}
