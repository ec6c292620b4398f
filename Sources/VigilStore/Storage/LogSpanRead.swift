/// What a read of the log by event time covered (see ``EventStore/forEachRecord(eventsAfter:through:_:)``).
public struct LogSpanRead: Sendable, Hashable {
    /// The log's first and last positions when it was read (0 and 0 when empty).
    public var first: Int64 = 0
    public var last: Int64 = 0
    /// Batches whose bodies were read, and batches in the log.
    public var batchesRead = 0
    public var batches = 0

    public init() {}
}
