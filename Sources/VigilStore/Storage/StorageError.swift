/// A store could not do what was asked (disk full, connection lost, read-only file system…), as a person
/// reads it: the server shows ``reason`` in its 503 and logs, whatever the backend.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, with the backend's own code and message ("disk full: …" when out of space).
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String { reason }
}
