import Foundation

/// How hard SQLite works to make each commit durable (`PRAGMA synchronous`).
public enum SynchronousMode: String, Sendable, CaseIterable {
    /// fsync the WAL on every commit: survives a process kill and a power loss. The default.
    case full
    /// fsync only at checkpoints: survives a process kill (`kill -9`), may lose the last commits on power loss.
    case normal
    /// Never fsync: for tests and throwaway data.
    case off
}

/// Where and how the log is kept.
public struct StoreConfiguration: Sendable {
    /// Directory holding `vigil.sqlite` (created if missing).
    public var directory: String
    public var synchronous: SynchronousMode
    /// Pipeline jobs and data gates kept; a new one past these is refused with ``PipelineLimitReached``.
    public var maxJobs = 10_000
    public var maxGates = 1_000

    public init(directory: String, synchronous: SynchronousMode = .full) {
        self.directory = directory
        self.synchronous = synchronous
    }

    public var databasePath: String { (directory as NSString).appendingPathComponent("vigil.sqlite") }
    /// Directory holding the engine snapshots, one file each.
    public var snapshotDirectory: String { (directory as NSString).appendingPathComponent("snapshots") }
}
