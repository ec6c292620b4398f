import ArgumentParser
import Foundation
import Logging
import VigilCore
import VigilServer
import VigilStore

/// `vigil serve`: the HTTP API over a durable SQLite log.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Vigil server: HTTP ingest and query API over a crash-safe SQLite log.",
        discussion: """
            Every option can also be set by an environment variable (VIGIL_HOST, VIGIL_PORT, VIGIL_DATA,
            VIGIL_SYNC, VIGIL_MAX_BODY, VIGIL_TOKENS, VIGIL_LABEL_HORIZON, VIGIL_RETENTION,
            VIGIL_SNAPSHOT_INTERVAL, VIGIL_SNAPSHOT_MIN_ENTRIES, VIGIL_LOG_LEVEL, VIGIL_SLOS, VIGIL_ALERT_INTERVAL,
            VIGIL_WEBHOOK_URL, VIGIL_WEBHOOK_SECRET, VIGIL_ALERTMANAGER_URL, VIGIL_EXTERNAL_URL); a flag wins over the variable.

            Tokens are SCOPE:SECRET with SCOPE read or write, comma-separated:
              VIGIL_TOKENS="write:$(openssl rand -hex 32),read:$(openssl rand -hex 32)"
            """)

    @Option(help: "Address to bind (default 127.0.0.1).") var host: String?
    @Option(help: "Port (default 8080).") var port: Int?
    @Option(help: "Data directory (default ./vigil-data).") var data: String?
    @Option(
        help: """
            Keep the log and metadata in PostgreSQL instead of SQLite: postgres://USER[:PASSWORD]@HOST[:PORT]/DB\
            [?sslmode=…&schema=…&pool=N] (also VIGIL_STORE). See docs/postgres.md.
            """)
    var store: String?
    @Option(help: "With --store: how long the writer lease lasts unless renewed (default 10s).")
    var leaseTime: String?
    @Option(help: "With --store: the URL other nodes reach this one at (default http://HOST:PORT).")
    var advertiseURL: String?
    @Flag(
        help: """
            With --store: spread the engine's shards over the nodes, each holding only its shards' join and \
            reading only their rows of the log (also VIGIL_PARTITION_SHARDS=1). See docs/postgres.md#partitioned-shards.
            """)
    var partitionShards = false
    @Option(help: "SQLite synchronous mode: full (default; survives power loss), normal (survives kill -9), off.")
    var sync: String?
    @Option(help: "Largest request body in bytes, after gzip (default 33554432).") var maxBody: Int?
    @Option(help: "Bearer tokens SCOPE:SECRET (repeatable); none disables authentication.") var token: [String] = []
    @Option(help: "How long predictions wait for labels (default 30d).") var labelHorizon: String?
    @Option(
        help: """
            Engine shards, applied side by side (default: one per core, at most 64). Fixed when the data directory \
            gets its first snapshot.
            """)
    var shards: Int?
    @Option(help: "How long raw events stay in the log (default: label horizon + 7d).") var retention: String?
    @Option(help: "How often to consider a snapshot (default 60s).") var snapshotInterval: String?
    @Option(help: "Log entries since the last snapshot before another is taken (default 100000).")
    var snapshotMinEntries: Int?
    @Option(help: "Save a snapshot before serving when replaying the log on start took longer (default 1s).")
    var recoverySnapshotAfter: String?
    @Option(
        help: """
            Engine states kept in memory for as-of queries and backtests, which replay from the nearest one \
            (default 4; 0 replays from the start of the log every time).
            """)
    var asOfCheckpoints: Int?
    @Option(help: "Log level: trace, debug, info (default), notice, warning, error, critical.") var logLevel: String?
    @Option(help: "YAML file of SLOs to define (or replace) at start; see docs/slos.md.") var slos: String?
    @Option(help: "How often the alert loop evaluates the SLOs (default 30s).") var alertInterval: String?
    @Option(help: "Webhook URL that receives alert transitions as JSON.") var webhookURL: String?
    @Option(help: "Secret for the webhook's HMAC-SHA256 signature header (better set VIGIL_WEBHOOK_SECRET).")
    var webhookSecret: String?
    @Option(help: "Prometheus Alertmanager base URL, e.g. http://127.0.0.1:9093.") var alertmanagerURL: String?
    @Option(help: "This server's URL as alert receivers should link to it.") var externalURL: String?
    @Option(help: "MLflow tracking server whose registry is synced into deployments (with --mlflow-model).")
    var mlflowTrackingURI: String?
    @Option(help: "An MLflow registered model to sync, NAME or NAME=VIGIL_MODEL (repeatable).")
    var mlflowModel: [String] = []
    @Option(help: "How often to sync MLflow (default 5m).") var mlflowPoll: String?
    @Option(help: "The Vigil version of MLflow version N, with {version} for N (default {version}).")
    var mlflowVersionTemplate: String?
    @Option(help: "Close a connection that sends no complete request head for this long (default 30s).")
    var idleTimeout: String?
    @Option(help: "Answer 408 and close when a request body has not all arrived within this time (default 30s).")
    var readTimeout: String?
    @Option(
        help: """
            A cardinality or size limit NAME=VALUE (repeatable; also VIGIL_LIMITS=NAME=VALUE,…): models, \
            versions-per-model, segment-keys-per-model, segment-values-per-key, classes-per-model, features-per-row, \
            id-bytes, name-bytes, string-value-bytes. See docs/limits.md.
            """)
    var limit: [String] = []

    func run() async throws {
        let configuration = try resolve(ProcessInfo.processInfo.environment)
        var logger = Logger(label: "vigil")
        logger.logLevel = try level(logLevel ?? ProcessInfo.processInfo.environment["VIGIL_LOG_LEVEL"] ?? "info")
        logger.info(
            "starting",
            metadata: [
                "address": "\(configuration.host):\(configuration.port)",
                "store": "\(storeDescription(configuration))",
                "sync": "\(configuration.synchronous.rawValue)", "auth": "\(configuration.tokens.isEnabled)",
            ])
        if !configuration.slos.isEmpty {
            logger.info(
                "SLOs from file", metadata: ["slos": "\(configuration.slos.map(\.name).joined(separator: ", "))"])
            for slo in configuration.slos {
                for w in slo.warnings { logger.warning("\(slo.name): \(w)") }
            }
        }
        let server = try await VigilServer(configuration, logger: logger)
        try await server.run()
    }

    /// Where the store is, for the log: the PostgreSQL URL without its password, or the data directory.
    private func storeDescription(_ c: ServerConfiguration) -> String {
        c.store.flatMap { try? PostgresLocation(url: $0).description } ?? c.dataDirectory
    }

    func resolve(_ env: [String: String]) throws -> ServerConfiguration {
        var c = ServerConfiguration()
        c.host = host ?? env["VIGIL_HOST"] ?? c.host
        if let p = try port ?? env["VIGIL_PORT"].map({ try integer($0, "VIGIL_PORT") }) { c.port = p }
        c.dataDirectory = data ?? env["VIGIL_DATA"] ?? c.dataDirectory
        if let s = store ?? env["VIGIL_STORE"], !s.isEmpty {
            guard PostgresLocation.isPostgres(s) else {
                throw ValidationError(
                    "store must be a postgres:// URL (SQLite takes --data DIR), got '\(s.prefix(100))'")
            }
            do {
                _ = try PostgresLocation(url: s)
            } catch {
                throw ValidationError("store: \(error)")
            }
            c.store = s
        }
        if let t = leaseTime ?? env["VIGIL_LEASE_TIME"] {
            c.leaseTime = try duration(t, "lease time")
            guard c.leaseTime >= .seconds(1) else { throw ValidationError("lease time must be at least 1s") }
        }
        if let url = advertiseURL ?? env["VIGIL_ADVERTISE_URL"] {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme), parsed.host != nil else {
                throw ValidationError("advertise URL must be http://HOST[:PORT] or https://…, got '\(url.prefix(100))'")
            }
            c.advertiseURL = url
        }
        c.partitionShards = partitionShards || env["VIGIL_PARTITION_SHARDS"] == "1"
        if c.partitionShards && c.store == nil {
            throw ValidationError("--partition-shards needs a shared store (--store postgres://…)")
        }
        if let s = sync ?? env["VIGIL_SYNC"] {
            guard let mode = SynchronousMode(rawValue: s) else {
                throw ValidationError("sync must be full, normal or off, got '\(s)'")
            }
            c.synchronous = mode
        }
        if let m = try maxBody ?? env["VIGIL_MAX_BODY"].map({ try integer($0, "VIGIL_MAX_BODY") }) {
            guard m > 0 else { throw ValidationError("max body must be positive") }
            c.maxBodyBytes = m
        }
        do {
            c.tokens = try TokenStore(parsing: env["VIGIL_TOKENS"] ?? "")
            for t in token { try c.tokens.add(t) }
        } catch {
            throw ValidationError("token: \(error.message)")
        }
        if let n = try shards ?? env["VIGIL_SHARDS"].map({ try integer($0, "VIGIL_SHARDS") }) {
            guard (1...ServerConfiguration.maxShards).contains(n) else {
                throw ValidationError("shards must be from 1 to \(ServerConfiguration.maxShards), got \(n)")
            }
            c.engine.shards = n
        }
        if let h = labelHorizon ?? env["VIGIL_LABEL_HORIZON"] {
            c.engine.labelHorizon = try duration(h, "label horizon")
        }
        do {
            try c.engine.limits.set((env["VIGIL_LIMITS"].map { [$0] } ?? []) + limit)
        } catch {
            throw ValidationError(error.message)
        }
        if let t = idleTimeout ?? env["VIGIL_IDLE_TIMEOUT"] { c.idleTimeout = try duration(t, "idle timeout") }
        if let t = readTimeout ?? env["VIGIL_READ_TIMEOUT"] { c.bodyReadTimeout = try duration(t, "read timeout") }
        if let r = retention ?? env["VIGIL_RETENTION"] { c.retention = try duration(r, "retention") }
        if let s = snapshotInterval ?? env["VIGIL_SNAPSHOT_INTERVAL"] {
            c.snapshotInterval = try duration(s, "snapshot interval")
        }
        if let n = try snapshotMinEntries
            ?? env["VIGIL_SNAPSHOT_MIN_ENTRIES"].map({ try integer($0, "VIGIL_SNAPSHOT_MIN_ENTRIES") })
        {
            guard n >= 1 else { throw ValidationError("snapshot min entries must be at least 1, got \(n)") }
            c.snapshotMinEntries = n
        }
        if let n = try asOfCheckpoints
            ?? env["VIGIL_AS_OF_CHECKPOINTS"].map({ try integer($0, "VIGIL_AS_OF_CHECKPOINTS") })
        {
            guard (0...ServerConfiguration.maxAsOfCheckpoints).contains(n) else {
                throw ValidationError(
                    "as-of checkpoints must be from 0 to \(ServerConfiguration.maxAsOfCheckpoints), got \(n)")
            }
            c.asOfCheckpoints = n
        }
        if let s = recoverySnapshotAfter ?? env["VIGIL_RECOVERY_SNAPSHOT_AFTER"] {
            c.recoverySnapshotAfter = try duration(s, "recovery snapshot threshold")
        }
        if let path = slos ?? env["VIGIL_SLOS"] {
            do {
                c.slos = try SLOFile.load(path)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        if let i = alertInterval ?? env["VIGIL_ALERT_INTERVAL"] { c.alertInterval = try duration(i, "alert interval") }
        c.notifications.webhookURL = webhookURL ?? env["VIGIL_WEBHOOK_URL"]
        c.notifications.webhookSecret = webhookSecret ?? env["VIGIL_WEBHOOK_SECRET"]
        c.notifications.alertmanagerURL = alertmanagerURL ?? env["VIGIL_ALERTMANAGER_URL"]
        c.notifications.externalURL = externalURL ?? env["VIGIL_EXTERNAL_URL"] ?? "http://\(c.host):\(c.port)"
        c.mlflow = try mlflow(env)
        return c
    }

    /// The MLflow sync, when a tracking server and at least one model are given.
    private func mlflow(_ env: [String: String]) throws -> MLflowConfiguration? {
        let models = mlflowModel + (env["VIGIL_MLFLOW_MODELS"].map { $0.split(separator: ",").map(String.init) } ?? [])
        guard let uri = mlflowTrackingURI ?? env["VIGIL_MLFLOW_TRACKING_URI"] else {
            if !models.isEmpty { throw ValidationError("--mlflow-model needs --mlflow-tracking-uri") }
            return nil
        }
        guard !models.isEmpty else { throw ValidationError("--mlflow-tracking-uri needs at least one --mlflow-model") }
        var options = MLflowSync.Options()
        if let t = mlflowVersionTemplate ?? env["VIGIL_MLFLOW_VERSION_TEMPLATE"] {
            guard t.contains("{version}") else {
                throw ValidationError("--mlflow-version-template must contain {version}")
            }
            options.versionTemplate = t
        }
        return MLflowConfiguration(
            trackingURI: uri, token: env["MLFLOW_TRACKING_TOKEN"],
            models: models.map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : parts[0])
            },
            interval: try duration(mlflowPoll ?? env["VIGIL_MLFLOW_POLL"] ?? "5m", "mlflow poll"), options: options)
    }

    private func integer(_ text: String, _ name: String) throws -> Int {
        guard let v = Int(text) else { throw ValidationError("\(name) must be an integer, got '\(text)'") }
        return v
    }

    private func duration(_ text: String, _ name: String) throws -> Duration {
        do {
            return try Duration(window: text)
        } catch {
            throw ValidationError("\(name): \(error.description)")
        }
    }

    private func level(_ text: String) throws -> Logger.Level {
        guard let l = Logger.Level(rawValue: text) else { throw ValidationError("unknown log level '\(text)'") }
        return l
    }
}
