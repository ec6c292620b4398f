import Foundation
import PostgresNIO

/// Where a ``PostgresStore`` lives, read from a URL in libpq's form:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require|verify-full&schema=NAME&pool=N]`.
///
/// `schema` (default `public`) keeps one Vigil's tables apart from others in the same database; `pool` is the
/// most connections one node opens (default 8).
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var schema: String
    public var sslMode: String
    public var maxConnections: Int

    /// Whether `url` names a PostgreSQL store (rather than a data directory).
    public static func isPostgres(_ url: String) -> Bool {
        url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
    }

    /// - Throws: ``StorageError`` naming what is wrong with the URL.
    public init(url: String) throws {
        guard Self.isPostgres(url), let parts = URLComponents(string: url) else {
            throw StorageError(
                reason: "not a PostgreSQL URL (postgres://user@host:port/database): '\(url.prefix(200))'")
        }
        guard let host = parts.host, !host.isEmpty else {
            throw StorageError(reason: "the PostgreSQL URL names no host")
        }
        self.host = host
        port = parts.port ?? 5432
        user = parts.user ?? "postgres"
        password = parts.password
        let path = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        database = path.isEmpty ? user : path
        let query = Dictionary(
            (parts.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        for key in query.keys where !["sslmode", "schema", "pool"].contains(key) {
            throw StorageError(reason: "unknown PostgreSQL URL parameter '\(key)' (known: sslmode, schema, pool)")
        }
        schema = query["schema"] ?? "public"
        guard !schema.isEmpty, schema.count <= 63, schema.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
        else {
            throw StorageError(reason: "schema '\(schema.prefix(80))': use up to 63 letters, digits and '_'")
        }
        sslMode = query["sslmode"] ?? "prefer"
        guard ["disable", "prefer", "require", "verify-full"].contains(sslMode) else {
            throw StorageError(reason: "sslmode '\(sslMode.prefix(40))': use disable, prefer, require or verify-full")
        }
        maxConnections = 8
        if let pool = query["pool"] {
            guard let n = Int(pool), (1...100).contains(n) else {
                throw StorageError(reason: "pool '\(pool.prefix(20))': use a number of connections from 1 to 100")
            }
            maxConnections = n
        }
    }

    /// The URL without the password, for logs.
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)?schema=\(schema)"
    }

    /// The client configuration: TLS per `sslmode`, the pool's size, and the schema as the search path.
    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "verify-full": tls = .require(.makeClientConfiguration())
        default:
            // libpq's `prefer` and `require` encrypt without verifying the server's certificate.
            var unverified = TLSConfiguration.makeClientConfiguration()
            unverified.certificateVerification = .none
            tls = sslMode == "require" ? .require(unverified) : .prefer(unverified)
        }
        var c = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        c.options.maximumConnections = maxConnections
        c.options.additionalStartupParameters = [("search_path", schema), ("application_name", "vigil")]
        return c
    }
}
