import Foundation
import Logging
import PostgresNIO
import Synchronization
import VigilCore

/// The shared ``Store``: the log, snapshots and metadata in PostgreSQL (15 or newer), through postgres-nio's
/// connection pool. Chosen with `--store postgres://…`; answers exactly as ``SQLiteStore`` does (the same
/// contract tests run against both).
///
/// Each write is one transaction, committed before the call returns (a 2xx means committed in PostgreSQL).
/// Writes that check a limit before they insert (jobs, gates, flags) take a transaction-level advisory lock,
/// so two nodes cannot both admit the last job. Tables are created or migrated on open.
///
/// ```swift
/// let store = try await PostgresStore(PostgresLocation(url: "postgres://vigil@db:5432/vigil"))
/// try await store.append([record])
/// ```
public final class PostgresStore: Store {
    public let location: PostgresLocation
    /// Pipeline jobs and data gates kept; a new one past these is refused with ``PipelineLimitReached``.
    public let maxJobs: Int
    public let maxGates: Int
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>

    /// Connects, creates the schema if missing and brings its tables to the current version.
    /// - Throws: ``StorageError`` if the server cannot be reached or refuses.
    public convenience init(
        _ location: PostgresLocation, maxJobs: Int = 10_000, maxGates: Int = 1_000,
        logger: Logger = Logger(label: "vigil.postgres")
    ) async throws {
        try await self.init(location, maxJobs: maxJobs, maxGates: maxGates, logger: logger, migrating: true)
    }

    /// Connects; with `migrating`, also creates the schema and brings its tables to the current version.
    init(
        _ location: PostgresLocation, maxJobs: Int, maxGates: Int, logger: Logger, migrating: Bool
    ) async throws {
        self.location = location
        self.maxJobs = maxJobs
        self.maxGates = maxGates
        self.logger = logger
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
        self.client = client
        // The pool leases connections only once `run()` has begun: start it before the first query.
        let (begun, signal) = AsyncStream<Void>.makeStream()
        running = Task {
            signal.finish()
            await client.run()
        }
        for await _ in begun {}
        guard migrating else { return }
        do {
            try await migrate()
        } catch {
            running.cancel()
            throw error
        }
    }

    deinit { running.cancel() }

    // MARK: - Transactions

    /// Runs `body` in a transaction on one pooled connection: committed if it returns, rolled back if it throws.
    /// PostgreSQL's errors reach the caller as ``StorageError``; the store's own (limits) as they are.
    func transaction<T: Sendable>(
        isolation: String = "READ COMMITTED", _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await Self.mapErrors {
            try await withPooledConnection { connection in
                try await connection.query("BEGIN ISOLATION LEVEL \(unescaped: isolation)", logger: logger)
                do {
                    let result = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return result
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    /// Runs `body` on one pooled connection, outside a transaction (one statement, or a read).
    func connection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await Self.mapErrors { try await withPooledConnection { try await body($0) } }
    }

    /// How long a call waits for a pooled connection before it fails. While PostgreSQL is down, the pool queues
    /// a request until its circuit breaker trips, a minute later: a write would hang that long instead of
    /// getting a 503, and the leases would not be renewed.
    static let connectDeadline: Duration = .seconds(5)

    /// Set once, read from another task.
    private final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .releasing) }
        var isSet: Bool { value.load(ordering: .acquiring) }
    }

    /// Runs `body` on a pooled connection, or throws ``StorageError`` if none is had within ``connectDeadline``
    /// (the request for one is then withdrawn). Once `body` runs, it is not timed.
    private func withPooledConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            // The group's children end before this returns, so `body` does not outlive the call.
            nonisolated(unsafe) let body = body
            let leased = Flag()
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await self.client.withConnection { connection in
                        leased.set()
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: Self.connectDeadline)
                    guard leased.isSet else {
                        throw StorageError(
                            reason:
                                "PostgreSQL gave no connection within \(Self.connectDeadline) (is it down or unreachable?)"
                        )
                    }
                    return nil
                }
                while let result = try await group.next() {
                    if let value = result {
                        group.cancelAll()
                        return value
                    }
                }
                throw CancellationError()
            }
        }
    }

    /// The rows of one query, read in full.
    func rows(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    /// The rows of one query on a pooled connection.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection { try await rows(query, on: $0) }
    }

    /// Serializes the writes that check a limit before inserting (across every node of the database).
    static func lockLimits(_ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(limitsLock))", logger: logger)
    }

    /// The advisory lock key of limit checks ("VIGIL" and 1).
    static let limitsLock: Int64 = 0x5649_4749_4C00_0001

    private static func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError {
            throw StorageError(reason: describe(error))
        }
    }

    /// PostgreSQL's own words (severity, SQLSTATE, message) when the server answered; else what failed.
    static func describe(_ error: PSQLError) -> String {
        if let info = error.serverInfo {
            let state = info[.sqlState].map { " \($0)" } ?? ""
            return "PostgreSQL error\(state): \(info[.message] ?? "\(error.code)")"
        }
        return "PostgreSQL connection failed: \(error.code)\(error.underlying.map { " (\($0))" } ?? "")"
    }

    // MARK: - Metadata updates

    func apply(_ update: StoreUpdate, _ c: PostgresConnection) async throws {
        switch update {
        case .saveMetric(let d):
            try await c.query(
                """
                INSERT INTO metric_definition (model, name, expression, backfill, seq, defined_ms)
                VALUES (\(d.model), \(d.name), \(d.expression), \(d.backfill), \(d.sequence), \(d.definedAt.milliseconds))
                ON CONFLICT (model, name) DO UPDATE SET expression = excluded.expression,
                    backfill = excluded.backfill, seq = excluded.seq, defined_ms = excluded.defined_ms
                """, logger: logger)
        case .deleteMetric(let model, let name):
            try await c.query(
                "DELETE FROM metric_definition WHERE model = \(model) AND name = \(name)", logger: logger)
        case .deleteModel(let model):
            for table in ["metric_definition", "model_document", "deployment", "change"] {
                try await c.query("DELETE FROM \(unescaped: table) WHERE model = \(model)", logger: logger)
            }
        case .setting(let key, let value):
            try await c.query(
                """
                INSERT INTO setting (key, value) VALUES (\(key), \(value))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """, logger: logger)
        case .changes(let changes): try await recordChanges(changes, c)
        }
    }

    public func setting(_ key: String) async throws -> Int64? {
        try await rows("SELECT value FROM setting WHERE key = \(key)").first?.decode(Int64.self)
    }

    // MARK: - Metric definitions

    public func metricDefinitions(model: String?) async throws -> [StoredMetricDefinition] {
        try await rows(
            """
            SELECT model, name, expression, backfill, seq, defined_ms FROM metric_definition
            WHERE \(model)::text IS NULL OR model = \(model) ORDER BY model, name
            """
        ).map { row in
            let (model, name, expression, backfill, seq, defined) = try row.decode(
                (String, String, String, Bool, Int64, Int64).self)
            return StoredMetricDefinition(
                model: model, name: name, expression: expression, backfill: backfill, sequence: seq,
                definedAt: Timestamp(milliseconds: defined))
        }
    }
}
