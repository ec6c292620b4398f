/// Everything Vigil keeps durably, behind one interface: the event log, snapshots, per-model metadata, SLOs
/// and alerts, the change timeline, and pipeline lineage. The server and the CLI hold an `any Store` and
/// never name a database library.
///
/// ``SQLiteStore`` (GRDB, one file in a data directory) is the embedded default. Every implementation passes
/// the same contract tests (`Tests/VigilStoreTests/Contract`), so a backend is a deployment choice, not a
/// change in any answer.
///
/// Writes are `async` everywhere, and so are reads of the log and snapshots (a networked backend streams
/// them). Metadata reads (documents, SLOs, alerts, changes, lineage) are still synchronous: the routes and
/// dashboard pages call them from synchronous code, some under a lock (the server's deployment registry).
public protocol Store: EventStore, SnapshotStore, ModelStore, AlertStore, ChangeStore, LineageStore {}
