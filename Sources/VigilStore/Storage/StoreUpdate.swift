import VigilCore

/// A metadata change committed in the same transaction as the log batch it belongs to, so the log and the
/// metadata never disagree after a crash: a custom metric's definition is stored exactly when its log entry is.
///
/// A value, not a closure over a database handle, so every store (SQLite, PostgreSQL) applies it its own way
/// and the server never names a database library.
public enum StoreUpdate: Sendable, Hashable {
    /// Stores (or replaces) a custom metric definition.
    case saveMetric(StoredMetricDefinition)
    /// Forgets a custom metric definition.
    case deleteMetric(model: String, name: String)
    /// Forgets everything stored for a model: metric definitions, documents, deployments and its timeline.
    case deleteModel(String)
    /// Sets an integer setting (e.g. ``StoreSettings/rebuildSequence``).
    case setting(key: String, value: Int64)
    /// Appends entries to their models' change timelines.
    case changes([Change])
}
