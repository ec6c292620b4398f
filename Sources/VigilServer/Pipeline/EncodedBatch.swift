import VigilCore
import VigilStore

/// The log encoding of a decoded batch, made in the request's task (in parallel with other requests) so
/// the single writer only copies bytes.
public struct EncodedBatch: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Start of each event's bytes; the end is the next start.
    private var starts: [Int] = []

    public init(_ entries: some Sequence<LogEntry>) {
        for entry in entries {
            starts.append(bytes.count)
            LogCodec.encode(entry, into: &bytes)
        }
    }

    init(predictions: [Prediction]) { self.init(predictions.lazy.map(LogEntry.prediction)) }

    init(feedback: [Feedback]) { self.init(feedback.lazy.map(LogEntry.feedback)) }

    /// The bytes of the events at `positions` (ascending), in order.
    func select(_ positions: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        for k in positions { out.append(contentsOf: self[k]) }
        return out
    }

    /// The bytes of each event at `positions`.
    func slices(_ positions: [Int]) -> [ArraySlice<UInt8>] { positions.map { self[$0] } }

    /// The bytes of event `k`.
    subscript(k: Int) -> ArraySlice<UInt8> {
        bytes[starts[k]..<(k + 1 < starts.count ? starts[k + 1] : bytes.count)]
    }
}
