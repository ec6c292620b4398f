import VigilCore

/// One committed batch of log entries: its sequence number, its entry count, the span of its event times
/// and its body.
public struct LogRecord: Sendable {
    public var sequence: Int64
    public var entries: Int
    /// Newest event time of the batch, for retention (`nil` for control-only batches).
    public var newestEvent: Timestamp?
    /// Oldest event time of the batch, so that an as-of replay reads only the batches its time range meets
    /// (`nil` for control-only batches).
    public var oldestEvent: Timestamp?
    public var body: [UInt8]

    public init(sequence: Int64, entries: Int, newestEvent: Timestamp?, oldestEvent: Timestamp?, body: [UInt8]) {
        self.sequence = sequence
        self.entries = entries
        self.newestEvent = newestEvent
        self.oldestEvent = oldestEvent
        self.body = body
    }
}
