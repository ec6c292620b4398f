/// A prediction or a label: one input of the engine, for batches that mix them (a replay in time order
/// alternates between the two every few rows).
public enum Event: Sendable {
    case prediction(Prediction)
    case feedback(Feedback)

    /// The prediction's event time, or the label's arrival time.
    public var time: Timestamp {
        switch self {
        case .prediction(let p): p.time
        case .feedback(let f): f.time
        }
    }
}
