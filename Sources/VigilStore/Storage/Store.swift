/// Everything Vigil keeps durably, behind one interface: the event log, snapshots, per-model metadata, SLOs
/// and alerts, the change timeline, and pipeline lineage. The server and the CLI hold an `any Store` and
/// never name a database library.
///
/// ``SQLiteStore`` (GRDB, one file in a data directory) is the embedded default. Every implementation passes
/// the same contract tests (`Tests/VigilStoreTests/Contract`), so a backend is a deployment choice, not a
/// change in any answer.
///
/// Every requirement is `async`: a networked backend (PostgreSQL) answers over a connection, and a caller
/// waiting for it must suspend, not block one of the few threads of the cooperative pool.
public protocol Store: EventStore, SnapshotStore, ModelStore, AlertStore, ChangeStore, LineageStore {}
