import VigilCore

/// Engine snapshots, so recovery replays only the log after the newest one. The oldest kept is the *base* a
/// backfill rebuilds from.
public protocol SnapshotStore: Sendable {
    /// Writes a snapshot of `engine`, taken after the batch `sequence` was applied; returns its size in bytes.
    /// Older snapshots are thinned out (between the base and the new one, the first of each day is kept).
    @discardableResult
    func saveSnapshot(sequence: Int64, createdAt: Timestamp, engine: Engine) async throws -> Int

    /// The newest snapshot, or the oldest (the base a backfill rebuilds from).
    func snapshot(newest: Bool) async throws -> StoredSnapshot?

    /// Sequence numbers of the stored snapshots, oldest first.
    func snapshotSequences() async throws -> [Int64]
}

extension SnapshotStore {
    /// The newest snapshot.
    public func snapshot() async throws -> StoredSnapshot? { try await snapshot(newest: true) }
}
