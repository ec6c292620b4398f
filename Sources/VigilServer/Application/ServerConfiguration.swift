import Foundation
import Logging
import VigilCore
import VigilStore

/// Everything `vigil serve` can be told, with the defaults a first run needs.
public struct ServerConfiguration: Sendable {
    /// Address to bind; loopback by default so nothing is exposed until asked.
    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "./vigil-data"
    /// A PostgreSQL URL (`postgres://…`, see ``PostgresLocation``): the store lives there instead of in
    /// SQLite under ``dataDirectory``.
    public var store: String?
    /// With a shared store: how long the writer lease lasts unless renewed (renewed every third of it); a dead
    /// writer's place is taken within about this long.
    public var leaseTime: Duration = .seconds(10)
    /// The URL other nodes reach this one at (forwarded writes); default `http://HOST:PORT`.
    public var advertiseURL: String?
    /// With a shared store, experimental: the nodes spread the engine's shards, each applying only its own and
    /// reading the others' aggregates from their owners (`--partition-shards`; see docs/postgres.md).
    public var partitionShards = false
    public var synchronous: SynchronousMode = .full
    /// Largest request body accepted, after gzip decompression.
    public var maxBodyBytes = 32 * 1024 * 1024
    /// A connection that has not sent a complete request head (or is idle between requests) this long is closed.
    public var idleTimeout: Duration = .seconds(30)
    /// A request body must arrive whole within this time, or the request gets 408 and the connection closes.
    public var bodyReadTimeout: Duration = .seconds(30)
    /// Bearer tokens; empty disables authentication.
    public var tokens = TokenStore()
    /// The engine's settings; a server runs one shard per core (see ``defaultShards``).
    public var engine = ServerConfiguration.defaultEngine
    /// How long raw events are kept in the log (default: the label horizon plus 7 days).
    public var retention: Duration?
    /// How often a snapshot is considered, and how many new log entries make one worthwhile.
    public var snapshotInterval: Duration = .seconds(60)
    public var snapshotMinEntries = 100_000
    /// A start that spent longer than this replaying the log after the snapshot saves a snapshot before it
    /// serves: under a crash loop a snapshot taken while serving may never finish, and every restart would
    /// replay a longer tail. This bounds restart time to about restore + this + one snapshot.
    public var recoverySnapshotAfter: Duration = .seconds(1)
    /// Engine states kept in memory so as-of queries and backtests replay from the nearest one (each about the
    /// size of the engine); 0 replays the retained log from its beginning every time.
    public var asOfCheckpoints = 4
    public static let maxAsOfCheckpoints = 64
    /// Events further than this ahead of the server clock are rejected.
    public var maxFutureSkew: Duration = .seconds(86_400)
    /// SLOs from `--slos FILE`, stored (replacing same-named ones) when the server starts.
    public var slos: [SLODefinition] = []
    /// How often the alert loop evaluates every SLO.
    public var alertInterval: Duration = .seconds(30)
    /// How long resolved alerts are kept for `GET /v1/alerts`.
    public var alertRetention: Duration = .seconds(30 * 86_400)
    public var notifications = NotificationConfiguration()
    /// MLflow registered models synced into deployments (`--mlflow-tracking-uri`, `--mlflow-model`); nil: none.
    public var mlflow: MLflowConfiguration?

    /// At most this many shards (`--shards`).
    public static let maxShards = 64

    /// One shard per core, within ``maxShards``.
    public static var defaultShards: Int { min(maxShards, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

    static var defaultEngine: EngineConfiguration {
        var c = EngineConfiguration()
        c.shards = defaultShards
        return c
    }

    public init() {}

    public var effectiveRetention: Duration { retention ?? engine.labelHorizon + .seconds(7 * 86_400) }
}

extension ServerConfiguration {
    /// The URL other nodes reach this one at.
    var advertisedURL: String { advertiseURL ?? "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)" }

    /// Opens the configured store: PostgreSQL at ``store`` if set, else SQLite in ``dataDirectory``.
    func openStore(logger: Logger) async throws -> any Store {
        if let store {
            return try await PostgresStore(PostgresLocation(url: store), logger: logger)
        }
        return try SQLiteStore(StoreConfiguration(directory: dataDirectory, synchronous: synchronous))
    }
}
