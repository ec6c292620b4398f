import Logging
import PostgresNIO

/// The tables, created and migrated on open. One node migrates at a time (an advisory lock held by the
/// migrating transaction); DDL is transactional, so a crash mid-migration leaves the previous version.
///
/// Text columns use the "C" collation: names sort by code point whatever the database's locale, as in SQLite,
/// so listings come back in the same order from either store. Bodies are stored uncompressed
/// (`STORAGE EXTERNAL`): log batches and snapshots are binary and compress poorly, and compressing them
/// would cost the ingest path.
extension PostgresStore {
    /// Each version's statements, in order; a database at version n runs those after n.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE log (
                seq bigint PRIMARY KEY,
                entries bigint NOT NULL,
                newest_ms bigint,
                oldest_ms bigint,
                body bytea NOT NULL)
            """,
            "ALTER TABLE log ALTER COLUMN body SET STORAGE EXTERNAL",
            "CREATE INDEX log_span ON log (newest_ms, oldest_ms)",
            "CREATE TABLE setting (key text COLLATE \"C\" PRIMARY KEY, value bigint NOT NULL)",
            """
            CREATE TABLE snapshot (
                seq bigint PRIMARY KEY,
                created_ms bigint NOT NULL,
                size bigint NOT NULL)
            """,
            """
            CREATE TABLE snapshot_part (
                seq bigint NOT NULL REFERENCES snapshot (seq) ON DELETE CASCADE,
                part integer NOT NULL,
                body bytea NOT NULL,
                PRIMARY KEY (seq, part))
            """,
            "ALTER TABLE snapshot_part ALTER COLUMN body SET STORAGE EXTERNAL",
            """
            CREATE TABLE metric_definition (
                model text COLLATE "C" NOT NULL,
                name text COLLATE "C" NOT NULL,
                expression text NOT NULL,
                backfill boolean NOT NULL,
                seq bigint NOT NULL,
                defined_ms bigint NOT NULL,
                PRIMARY KEY (model, name))
            """,
            """
            CREATE TABLE model_document (
                model text COLLATE "C" NOT NULL,
                kind text COLLATE "C" NOT NULL,
                body bytea NOT NULL,
                updated_ms bigint NOT NULL,
                PRIMARY KEY (model, kind))
            """,
            "CREATE TABLE slo (name text COLLATE \"C\" PRIMARY KEY, body bytea NOT NULL, updated_ms bigint NOT NULL)",
            """
            CREATE TABLE alert (
                id text COLLATE "C" PRIMARY KEY,
                slo text COLLATE "C" NOT NULL,
                state text NOT NULL,
                body bytea NOT NULL,
                updated_ms bigint NOT NULL)
            """,
            "CREATE INDEX alert_state ON alert (state, updated_ms)",
            """
            CREATE TABLE outbox (
                id bigserial PRIMARY KEY,
                target text NOT NULL,
                key text COLLATE "C" NOT NULL UNIQUE,
                body bytea NOT NULL,
                created_ms bigint NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                next_ms bigint NOT NULL)
            """,
            """
            CREATE TABLE deployment (
                model text COLLATE "C" NOT NULL,
                version text COLLATE "C" NOT NULL,
                body bytea NOT NULL,
                updated_ms bigint NOT NULL,
                PRIMARY KEY (model, version))
            """,
            """
            CREATE TABLE change (
                id bigserial PRIMARY KEY,
                model text COLLATE "C" NOT NULL,
                at_ms bigint NOT NULL,
                kind text NOT NULL,
                subject text NOT NULL,
                body bytea NOT NULL)
            """,
            "CREATE INDEX change_model_at ON change (model, at_ms)",
            "CREATE INDEX change_model_id ON change (model, id)",
            """
            CREATE TABLE lineage_run (
                run_id text COLLATE "C" PRIMARY KEY,
                namespace text COLLATE "C" NOT NULL,
                name text COLLATE "C" NOT NULL,
                state text NOT NULL,
                started_ms bigint NOT NULL,
                updated_ms bigint NOT NULL,
                ended_ms bigint,
                body bytea NOT NULL)
            """,
            "CREATE INDEX lineage_run_job ON lineage_run (namespace, name, started_ms)",
            """
            CREATE TABLE lineage_job (
                namespace text COLLATE "C" NOT NULL,
                name text COLLATE "C" NOT NULL,
                first_ms bigint NOT NULL,
                PRIMARY KEY (namespace, name))
            """,
            """
            CREATE TABLE lineage_dataset (
                namespace text COLLATE "C" NOT NULL,
                name text COLLATE "C" NOT NULL,
                run_id text COLLATE "C" NOT NULL,
                role text NOT NULL,
                at_ms bigint NOT NULL,
                PRIMARY KEY (namespace, name, run_id, role))
            """,
            "CREATE INDEX lineage_dataset_run ON lineage_dataset (run_id)",
            """
            CREATE TABLE lineage_heartbeat (
                id bigserial PRIMARY KEY,
                namespace text COLLATE "C" NOT NULL,
                name text COLLATE "C" NOT NULL,
                at_ms bigint NOT NULL)
            """,
            "CREATE INDEX lineage_heartbeat_job ON lineage_heartbeat (namespace, name, id)",
            "CREATE TABLE gate (name text COLLATE \"C\" PRIMARY KEY, body bytea NOT NULL, updated_ms bigint NOT NULL)",
            """
            CREATE TABLE gate_check (
                id bigserial PRIMARY KEY,
                gate text COLLATE "C" NOT NULL,
                at_ms bigint NOT NULL,
                verdict text NOT NULL,
                run_id text COLLATE "C",
                body bytea NOT NULL)
            """,
            "CREATE INDEX gate_check_gate ON gate_check (gate, id)",
            "CREATE INDEX gate_check_run ON gate_check (run_id)",
            """
            CREATE TABLE job_gate (
                namespace text COLLATE "C" NOT NULL,
                name text COLLATE "C" NOT NULL,
                gate text COLLATE "C" NOT NULL,
                PRIMARY KEY (namespace, name, gate))
            """,
            """
            CREATE TABLE output_flag (
                id bigserial PRIMARY KEY,
                model text COLLATE "C" NOT NULL,
                at_ms bigint NOT NULL,
                predictions bigint NOT NULL,
                body bytea NOT NULL)
            """,
            "CREATE INDEX output_flag_model ON output_flag (model, id)",
        ],
        // Several nodes: leases (one holder at a time) and each node's last report.
        [
            """
            CREATE TABLE lease (
                name text COLLATE "C" PRIMARY KEY,
                holder text NOT NULL,
                url text NOT NULL,
                expires_at timestamptz NOT NULL,
                epoch bigint NOT NULL)
            """,
            """
            CREATE TABLE node (
                id text COLLATE "C" PRIMARY KEY,
                url text NOT NULL,
                role text NOT NULL,
                applied_seq bigint NOT NULL,
                seen_at timestamptz NOT NULL)
            """,
        ],
        // Shard snapshots: each node owning part of the shards saves those.
        [
            """
            CREATE TABLE shard_snapshot (
                seq bigint NOT NULL,
                node text COLLATE "C" NOT NULL,
                shards integer[] NOT NULL,
                shard_count integer NOT NULL,
                created_ms bigint NOT NULL,
                size bigint NOT NULL,
                PRIMARY KEY (seq, node))
            """,
            """
            CREATE TABLE shard_snapshot_part (
                seq bigint NOT NULL,
                node text COLLATE "C" NOT NULL,
                part integer NOT NULL,
                body bytea NOT NULL,
                PRIMARY KEY (seq, node, part),
                FOREIGN KEY (seq, node) REFERENCES shard_snapshot (seq, node) ON DELETE CASCADE)
            """,
            "ALTER TABLE shard_snapshot_part ALTER COLUMN body SET STORAGE EXTERNAL",
        ],
        // The log hash-partitioned on the shard: a batch (or a split batch's header) is shard -1, a split
        // batch's rows of shard k are in shard k's partition (see `LogSplit`). The batches logged so far are
        // whole.
        [
            "ALTER TABLE log RENAME TO log_unsplit",
            "ALTER INDEX log_pkey RENAME TO log_unsplit_pkey",
            "ALTER INDEX log_span RENAME TO log_unsplit_span",
            """
            CREATE TABLE log (
                seq bigint NOT NULL,
                shard integer NOT NULL,
                entries bigint NOT NULL,
                newest_ms bigint,
                oldest_ms bigint,
                parts integer NOT NULL,
                body bytea NOT NULL,
                PRIMARY KEY (seq, shard))
            PARTITION BY HASH (shard)
            """,
        ]
            + (0..<logPartitions).map {
                "CREATE TABLE log_\($0) PARTITION OF log FOR VALUES WITH (MODULUS \(logPartitions), REMAINDER \($0))"
            }
            + [
                "ALTER TABLE log ALTER COLUMN body SET STORAGE EXTERNAL",
                """
                INSERT INTO log (seq, shard, entries, newest_ms, oldest_ms, parts, body)
                SELECT seq, -1, entries, newest_ms, oldest_ms, 0, body FROM log_unsplit
                """,
                "DROP TABLE log_unsplit",
                "CREATE INDEX log_span ON log (newest_ms, oldest_ms)",
            ],
    ]

    /// The log's hash partitions: shards (and the headers' −1) spread over them, whatever `--shards` is.
    static let logPartitions = 16

    /// The advisory lock key of migrations ("VIGIL" and 2).
    static let migrationLock: Int64 = 0x5649_4749_4C00_0002

    /// Creates the schema if missing and runs the migrations this database has not run yet.
    func migrate() async throws {
        let schema = location.schema
        try await transaction { c in
            try await c.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await c.query("CREATE SCHEMA IF NOT EXISTS \"\(unescaped: schema)\"", logger: logger)
            try await c.query(
                "CREATE TABLE IF NOT EXISTS vigil_migration (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                logger: logger)
            let done = try await rows("SELECT coalesce(max(version), 0) FROM vigil_migration", on: c)[0]
                .decode(Int.self)
            guard done <= Self.migrations.count else {
                throw StorageError(
                    reason:
                        "the database's schema is at version \(done), newer than this Vigil knows (\(Self.migrations.count)): upgrade Vigil"
                )
            }
            for (index, statements) in Self.migrations.enumerated().dropFirst(done) {
                for statement in statements {
                    try await c.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await c.query("INSERT INTO vigil_migration (version) VALUES (\(index + 1))", logger: logger)
            }
        }
    }
}

extension PostgresStore {
    /// Drops `location`'s schema with every table in it (tests; `vigil` itself never drops data).
    public static func dropSchema(_ location: PostgresLocation) async throws {
        // Connected without migrating: creating the tables only to drop them would be wasted work.
        let store = try await PostgresStore(
            location, maxJobs: 0, maxGates: 0, logger: Logger(label: "vigil.postgres"), migrating: false)
        _ = try await store.connection { c in
            try await c.query("DROP SCHEMA IF EXISTS \"\(unescaped: location.schema)\" CASCADE", logger: store.logger)
        }
    }
}
