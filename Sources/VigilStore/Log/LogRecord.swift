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
    /// The entries in ``LogCodec`` form; in a split batch, its header (see ``LogSplit``).
    public var body: [UInt8]
    /// A split batch's rows by shard (see ``LogSplit``); empty for a whole batch.
    public var parts: [Part] = []

    /// One shard's rows of a split batch.
    public struct Part: Sendable, Equatable {
        public var shard: Int
        public var entries: Int
        public var body: [UInt8]

        public init(shard: Int, entries: Int, body: [UInt8]) {
            self.shard = shard
            self.entries = entries
            self.body = body
        }
    }

    public init(
        sequence: Int64, entries: Int, newestEvent: Timestamp?, oldestEvent: Timestamp?, body: [UInt8],
        parts: [Part] = []
    ) {
        self.sequence = sequence
        self.entries = entries
        self.newestEvent = newestEvent
        self.oldestEvent = oldestEvent
        self.body = body
        self.parts = parts
    }

    /// The whole batch's ``LogCodec`` body: a split batch's header and parts merged.
    public func wholeBody() throws -> [UInt8] {
        parts.isEmpty ? body : try LogSplit.merge([body] + parts.map(\.body))
    }
}
