import Foundation
import GRDB
import VigilCore

/// The embedded ``Store`` (the default): the log of batches of ``LogEntry`` and the metadata in one SQLite
/// file (WAL mode, through GRDB), engine snapshots as files beside it.
///
/// A batch is one row: group commit writes the batches of many requests in one transaction, so a
/// commit costs one fsync however many clients are sending.
///
/// ```swift
/// let log = try SQLiteStore(StoreConfiguration(directory: "./vigil-data"))
/// var body: [UInt8] = []
/// LogCodec.encode(.feedback(Feedback(id: "p1", time: t, label: .number(1))), into: &body)
/// let record = LogRecord(sequence: try log.lastSequence() + 1, entries: 1, newestEvent: t, oldestEvent: t, body: body)
/// try await log.append([record])
/// ```
public final class SQLiteStore: Store {
    let pool: DatabasePool
    public let configuration: StoreConfiguration
    /// Held while the log is open: one process per data directory.
    let lock: DataDirectoryLock

    /// Opens (or creates) the store in its directory, which it locks.
    /// - Throws: ``DataDirectoryLock/Busy`` if another process has the directory open.
    public init(_ configuration: StoreConfiguration) throws {
        self.configuration = configuration
        try FileManager.default.createDirectory(atPath: configuration.directory, withIntermediateDirectories: true)
        lock = try DataDirectoryLock(directory: configuration.directory)
        var config = Configuration()
        let synchronous = configuration.synchronous.rawValue.uppercased()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        pool = try DatabasePool(path: configuration.databasePath, configuration: config)
        try Self.migrator.migrate(pool)
        try removeUnrecordedSnapshotFiles()
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE log (
                        seq INTEGER PRIMARY KEY,
                        entries INTEGER NOT NULL,
                        newest_ms INTEGER,
                        body BLOB NOT NULL);
                    CREATE TABLE snapshot (
                        seq INTEGER PRIMARY KEY,
                        created_ms INTEGER NOT NULL,
                        body BLOB NOT NULL);
                    CREATE TABLE metric_definition (
                        model TEXT NOT NULL,
                        name TEXT NOT NULL,
                        expression TEXT NOT NULL,
                        backfill INTEGER NOT NULL,
                        seq INTEGER NOT NULL,
                        defined_ms INTEGER NOT NULL,
                        PRIMARY KEY (model, name));
                    CREATE TABLE setting (
                        key TEXT PRIMARY KEY,
                        value INTEGER NOT NULL);
                    """)
        }
        m.registerMigration("v2") { db in
            // References and validation rules: one JSON document per model and kind.
            try db.execute(
                sql: """
                    CREATE TABLE model_document (
                        model TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        body BLOB NOT NULL,
                        updated_ms INTEGER NOT NULL,
                        PRIMARY KEY (model, kind));
                    """)
        }
        m.registerMigration("v3") { db in
            // SLO definitions, and alerts (live and resolved) so the lifecycle survives a restart.
            try db.execute(
                sql: """
                    CREATE TABLE slo (
                        name TEXT PRIMARY KEY,
                        body BLOB NOT NULL,
                        updated_ms INTEGER NOT NULL);
                    CREATE TABLE alert (
                        id TEXT PRIMARY KEY,
                        slo TEXT NOT NULL,
                        state TEXT NOT NULL,
                        body BLOB NOT NULL,
                        updated_ms INTEGER NOT NULL);
                    CREATE INDEX alert_state ON alert (state, updated_ms);
                    """)
        }
        m.registerMigration("v4") { db in
            // Notifications waiting for delivery, written with the alert change that causes them.
            try db.execute(
                sql: """
                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        target TEXT NOT NULL,
                        key TEXT NOT NULL UNIQUE,
                        body BLOB NOT NULL,
                        created_ms INTEGER NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_ms INTEGER NOT NULL);
                    """)
        }
        m.registerMigration("v5") { db in
            // Snapshots written as files beside the database (older rows keep their blob, `file` NULL).
            try db.execute(sql: "ALTER TABLE snapshot ADD COLUMN file TEXT")
        }
        m.registerMigration("v6") { db in
            // Deployments, one JSON document per model and version, and the per-model change timeline.
            try db.execute(
                sql: """
                    CREATE TABLE deployment (
                        model TEXT NOT NULL,
                        version TEXT NOT NULL,
                        body BLOB NOT NULL,
                        updated_ms INTEGER NOT NULL,
                        PRIMARY KEY (model, version));
                    CREATE TABLE change (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        model TEXT NOT NULL,
                        at_ms INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        body BLOB NOT NULL);
                    CREATE INDEX change_model_at ON change (model, at_ms);
                    """)
        }
        m.registerMigration("v7") { db in
            // Pipeline lineage: runs as merged documents, their jobs, and each dataset a run read or wrote.
            try db.execute(
                sql: """
                    CREATE TABLE lineage_run (
                        run_id TEXT PRIMARY KEY,
                        namespace TEXT NOT NULL,
                        name TEXT NOT NULL,
                        state TEXT NOT NULL,
                        started_ms INTEGER NOT NULL,
                        updated_ms INTEGER NOT NULL,
                        body BLOB NOT NULL);
                    CREATE INDEX lineage_run_job ON lineage_run (namespace, name, started_ms);
                    CREATE TABLE lineage_job (
                        namespace TEXT NOT NULL,
                        name TEXT NOT NULL,
                        first_ms INTEGER NOT NULL,
                        PRIMARY KEY (namespace, name));
                    CREATE TABLE lineage_dataset (
                        namespace TEXT NOT NULL,
                        name TEXT NOT NULL,
                        run_id TEXT NOT NULL,
                        role TEXT NOT NULL,
                        at_ms INTEGER NOT NULL,
                        PRIMARY KEY (namespace, name, run_id, role));
                    CREATE INDEX lineage_dataset_run ON lineage_dataset (run_id);
                    """)
        }
        m.registerMigration("v8") { db in
            // Data gates (named rule sets) and the checks made against them.
            try db.execute(
                sql: """
                    CREATE TABLE gate (
                        name TEXT PRIMARY KEY,
                        body BLOB NOT NULL,
                        updated_ms INTEGER NOT NULL);
                    CREATE TABLE gate_check (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        gate TEXT NOT NULL,
                        at_ms INTEGER NOT NULL,
                        verdict TEXT NOT NULL,
                        run_id TEXT,
                        body BLOB NOT NULL);
                    CREATE INDEX gate_check_gate ON gate_check (gate, id);
                    CREATE INDEX gate_check_run ON gate_check (run_id);
                    """)
        }
        m.registerMigration("v9") { db in
            // Pipeline SLIs: when runs ended (terminal runs end at their newest event), job heartbeats, the
            // gates declared on jobs, and outputs flagged as bad.
            try db.execute(
                sql: """
                    ALTER TABLE lineage_run ADD COLUMN ended_ms INTEGER;
                    UPDATE lineage_run SET ended_ms = updated_ms WHERE state IN ('COMPLETE', 'FAIL', 'ABORT');
                    CREATE TABLE lineage_heartbeat (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        namespace TEXT NOT NULL,
                        name TEXT NOT NULL,
                        at_ms INTEGER NOT NULL);
                    CREATE INDEX lineage_heartbeat_job ON lineage_heartbeat (namespace, name, id);
                    CREATE TABLE job_gate (
                        namespace TEXT NOT NULL,
                        name TEXT NOT NULL,
                        gate TEXT NOT NULL,
                        PRIMARY KEY (namespace, name, gate));
                    CREATE INDEX gate_check_dataset ON gate_check (gate, run_id);
                    CREATE TABLE output_flag (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        model TEXT NOT NULL,
                        at_ms INTEGER NOT NULL,
                        predictions INTEGER NOT NULL,
                        body BLOB NOT NULL);
                    CREATE INDEX output_flag_model ON output_flag (model, id);
                    """)
        }
        m.registerMigration("v10") { db in
            // Each batch's span of event times, indexed, so an as-of replay finds the batches a time range
            // meets without reading the others' bodies.
            try db.execute(sql: "ALTER TABLE log ADD COLUMN oldest_ms INTEGER")
            try Self.recordOldestEvents(db)
            try db.execute(sql: "CREATE INDEX log_span ON log (newest_ms, oldest_ms)")
        }
        return m
    }

    /// Fills `oldest_ms` of the batches written before it existed, by decoding them once.
    private static func recordOldestEvents(_ db: Database) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT seq, body FROM log WHERE newest_ms IS NOT NULL")
        var oldest: [(Int64, Int64)] = []
        while let row = try rows.next() {
            var least = Int64.max
            try row.withUnsafeData(atIndex: 1) { data in
                try data?.withUnsafeBytes { bytes in
                    try LogCodec.decode(bytes) { entry in
                        if let t = entry.eventTime { least = min(least, t.milliseconds) }
                    }
                }
            }
            if least != .max { oldest.append((row[0], least)) }
        }
        let update = try db.makeStatement(sql: "UPDATE log SET oldest_ms = ? WHERE seq = ?")
        for (seq, ms) in oldest { try update.execute(arguments: [ms, seq]) }
    }

    // MARK: - Log

    /// A small write, to learn whether storage takes writes again after a failure (disk full, read-only).
    /// It needs room for a page or two, and a bit more, so that a batch is likely to fit too.
    public func probeWrite() async throws {
        let room = Data(repeating: 0, count: 256 * 1024)
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO model_document (model, kind, body, updated_ms) VALUES ('', 'probe', ?, 0)",
                arguments: [room])
            try db.execute(sql: "DELETE FROM model_document WHERE model = '' AND kind = 'probe'")
        }
    }

    /// Commits `records`, and applies the metadata `updates` in the same transaction; returns once they
    /// are durable per the synchronous mode.
    /// - Throws: ``StorageError`` when SQLite refuses the write (disk full, I/O error).
    public func append(_ records: [LogRecord], updates: [StoreUpdate]) async throws {
        do {
            try await pool.write { db in
                try Self.insert(records, db)
                for update in updates { try Self.apply(update, db) }
            }
        } catch let error as DatabaseError {
            throw StorageError(
                reason:
                    "\(error.resultCode == .SQLITE_FULL ? "disk full" : "storage error \(error.resultCode)"): \(error.message ?? "")"
            )
        }
    }

    private static func apply(_ update: StoreUpdate, _ db: Database) throws {
        switch update {
        case .saveMetric(let definition): try saveMetric(definition, db)
        case .deleteMetric(let model, let name): try deleteMetric(model: model, name: name, db)
        case .deleteModel(let model): try deleteModel(model, db)
        case .setting(let key, let value): try setSetting(key, value, db)
        case .changes(let changes): try recordChanges(changes, db)
        }
    }

    private static func insert(_ records: [LogRecord], _ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO log (seq, entries, newest_ms, oldest_ms, body) VALUES (?, ?, ?, ?, ?)")
        for r in records {
            // One node reads the whole log: a split batch is stored whole.
            let body = try r.wholeBody().withUnsafeBytes { Data($0) }
            try statement.execute(
                arguments: [r.sequence, r.entries, r.newestEvent?.milliseconds, r.oldestEvent?.milliseconds, body])
        }
    }

    /// The highest committed sequence number (0 for an empty log).
    public func lastSequence() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(seq) FROM log") ?? 0 }
    }

    /// The lowest sequence number the log holds (`nil` for an empty log).
    public func firstSequence() throws -> Int64? {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT min(seq) FROM log") }
    }

    /// Number of committed batches and entries after `sequence`.
    /// (SQLite keeps every batch whole: `shards` changes nothing.)
    public func count(after sequence: Int64, shards: Set<Int>?) throws -> (batches: Int, entries: Int) {
        try pool.read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT count(*), coalesce(sum(entries), 0) FROM log WHERE seq > ?", arguments: [sequence])
            return (row?[0] ?? 0, row?[1] ?? 0)
        }
    }

    /// Reads every batch after `sequence` in order, streaming (the log may not fit in memory).
    /// Reads every batch whole: SQLite keeps no batch split (``LogSplit``), since one node reads the log.
    public func forEachRecord(
        after sequence: Int64, shards: Set<Int>?, _ body: (Int64, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try pool.read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT seq, body FROM log WHERE seq > ? ORDER BY seq", arguments: [sequence])
            while let row = try rows.next() {
                let seq: Int64 = row[0]
                try Self.withBatchBody(row, at: 1) { try body(seq, $0) }
            }
        }
    }

    /// Hands `body` a batch's bytes from column `index` of `row`, read in place (empty when the column is NULL).
    static func withBatchBody(_ row: Row, at index: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try row.withUnsafeData(atIndex: index) { data in
            guard let data else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
            try data.withUnsafeBytes { try body($0) }
        }
    }

    // MARK: - Settings

    static func setSetting(_ key: String, _ value: Int64, _ db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)", arguments: [key, value])
    }

    public func setting(_ key: String) throws -> Int64? {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key]) }
    }

    // MARK: - Metric definitions

    static func saveMetric(_ d: StoredMetricDefinition, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO metric_definition (model, name, expression, backfill, seq, defined_ms)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [d.model, d.name, d.expression, d.backfill, d.sequence, d.definedAt.milliseconds])
    }

    /// Forgets everything stored for a model: its custom metric definitions, documents (reference, rules),
    /// deployments and change timeline.
    static func deleteModel(_ model: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM metric_definition WHERE model = ?", arguments: [model])
        try db.execute(sql: "DELETE FROM model_document WHERE model = ?", arguments: [model])
        try db.execute(sql: "DELETE FROM deployment WHERE model = ?", arguments: [model])
        try db.execute(sql: "DELETE FROM change WHERE model = ?", arguments: [model])
    }

    static func deleteMetric(model: String, name: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM metric_definition WHERE model = ? AND name = ?", arguments: [model, name])
    }

    /// The stored custom metric definitions of `model` (all models when `nil`).
    public func metricDefinitions(model: String?) throws -> [StoredMetricDefinition] {
        try pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT model, name, expression, backfill, seq, defined_ms FROM metric_definition
                    WHERE ?1 IS NULL OR model = ?1 ORDER BY model, name
                    """, arguments: [model])
            return rows.map {
                StoredMetricDefinition(
                    model: $0[0], name: $0[1], expression: $0[2], backfill: $0[3], sequence: $0[4],
                    definedAt: Timestamp(milliseconds: $0[5]))
            }
        }
    }
}
