import PostgresNIO
import VigilCore

/// Leases and node reports (see ``ClusterStore``), timed by PostgreSQL's clock.
extension PostgresStore: ClusterStore {
    public func acquireLease(_ name: String, holder: String, url: String, for duration: Duration) async throws
        -> Lease
    {
        let ms = duration.milliseconds
        return try await transaction { c in
            try await c.query(
                """
                INSERT INTO lease (name, holder, url, expires_at, epoch)
                VALUES (\(name), \(holder), \(url), clock_timestamp() + \(ms) * interval '1 millisecond', 1)
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, url = excluded.url,
                    expires_at = excluded.expires_at,
                    epoch = lease.epoch + CASE WHEN lease.holder = excluded.holder THEN 0 ELSE 1 END
                WHERE lease.holder = excluded.holder OR lease.expires_at < clock_timestamp()
                """, logger: logger)
            return try Self.lease(
                try await rows("SELECT \(unescaped: Self.leaseColumns) FROM lease WHERE name = \(name)", on: c)[0]
            ).lease
        }
    }

    public func leases(prefix: String) async throws -> [String: Lease] {
        let found = try await rows(
            """
            SELECT \(unescaped: Self.leaseColumns) FROM lease
            WHERE starts_with(name, \(prefix)) AND expires_at > clock_timestamp()
            """)
        return Dictionary(uniqueKeysWithValues: try found.map(Self.lease))
    }

    /// A lease row's columns as ``lease(_:)`` reads them (the time left on PostgreSQL's clock).
    private static let leaseColumns =
        "name, holder, url, epoch, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::bigint"

    private static func lease(_ row: PostgresRow) throws -> (name: String, lease: Lease) {
        let (name, holder, url, epoch, left) = try row.decode((String, String, String, Int64, Int64).self)
        return (name, Lease(holder: holder, url: url, epoch: epoch, expiresIn: .milliseconds(left)))
    }

    /// LISTEN on the channel every commit of log batches notifies (``append(_:updates:)``), this schema's only.
    public func watchAppends(_ wake: @escaping @Sendable () -> Void) async throws {
        let schema = location.schema
        _ = try await connection { c in
            try await c.listen(on: Self.appendChannel) { notifications in
                for try await note in notifications where note.payload == schema { wake() }
            }
        }
    }

    /// How long a node that stopped reporting stays listed in the table.
    static let forgetNodesAfter: Duration = .seconds(86_400)

    /// The channel a commit of log batches notifies, with the schema as the payload.
    static let appendChannel = "vigil_log"

    public func releaseLease(_ name: String, holder: String) async throws {
        _ = try await rows("DELETE FROM lease WHERE name = \(name) AND holder = \(holder)")
    }

    /// Records `node`'s report, and forgets nodes silent for ``forgetNodesAfter`` (a restarted node is a new
    /// node, so without this the table would grow by a row per start).
    public func reportNode(_ node: NodeReport) async throws {
        _ = try await rows(
            """
            DELETE FROM node
            WHERE seen_at < clock_timestamp() - \(Self.forgetNodesAfter.milliseconds) * interval '1 millisecond'
            """)
        _ = try await rows(
            """
            INSERT INTO node (id, url, role, applied_seq, seen_at)
            VALUES (\(node.id), \(node.url), \(node.role), \(node.appliedSequence), clock_timestamp())
            ON CONFLICT (id) DO UPDATE SET url = excluded.url, role = excluded.role,
                applied_seq = excluded.applied_seq, seen_at = excluded.seen_at
            """)
    }

    public func forgetNode(_ id: String) async throws {
        _ = try await rows("DELETE FROM node WHERE id = \(id)")
    }

    public func nodes(seenWithin window: Duration) async throws -> [NodeReport] {
        let ms = window.milliseconds
        return try await rows(
            """
            SELECT id, url, role, applied_seq, (extract(epoch FROM clock_timestamp() - seen_at) * 1000)::bigint
            FROM node WHERE seen_at > clock_timestamp() - \(ms) * interval '1 millisecond' ORDER BY id
            """
        ).map { row in
            let (id, url, role, applied, ago) = try row.decode((String, String, String, Int64, Int64).self)
            var node = NodeReport(id: id, url: url, role: role, appliedSequence: applied)
            node.seenAgoMilliseconds = ago
            return node
        }
    }
}
