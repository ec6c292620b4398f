/// A store could not do what was asked (disk full, connection lost, read-only file system…), as a person
/// reads it: the server shows ``reason`` in its 503 and logs, whatever the backend.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, with the backend's own code and message.
    public var reason: String
    /// The storage is out of space: writes fail until some is freed.
    public var isFull: Bool

    public init(reason: String, isFull: Bool = false) {
        self.reason = reason
        self.isFull = isFull
    }

    public var description: String { reason }
}
