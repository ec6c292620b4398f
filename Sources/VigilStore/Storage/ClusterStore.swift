import VigilCore

/// What several `vigil serve` nodes sharing one store coordinate through: leases (one holder at a time, with
/// an expiry on the store's clock, so nodes' clocks need not agree) and each node's last report. Only a shared
/// store (``PostgresStore``) offers it; a server on SQLite is a cluster of one.
public protocol ClusterStore: Sendable {
    /// Takes or renews `name` for `holder` (reachable at `url`) for `duration`; returns the lease as it now
    /// stands: held by `holder` if it was free, expired, or already `holder`'s; else by the other node.
    func acquireLease(_ name: String, holder: String, url: String, for duration: Duration) async throws -> Lease

    /// The leases whose names start with `prefix` and have not expired, by name.
    func leases(prefix: String) async throws -> [String: Lease]

    /// Gives `name` up if `holder` has it (on a clean shutdown, so another node need not wait for the expiry).
    func releaseLease(_ name: String, holder: String) async throws

    /// Records what a node reports about itself.
    func reportNode(_ node: NodeReport) async throws

    /// Removes a node's report (on a clean shutdown, so that the others stop counting it at once).
    func forgetNode(_ id: String) async throws

    /// Every node that reported within `window`, by id; `seenAgo` is measured on the store's clock.
    func nodes(seenWithin window: Duration) async throws -> [NodeReport]

    /// Calls `wake` after each commit of log batches by any node, until the task is cancelled or the
    /// connection fails (it then throws; call it again).
    func watchAppends(_ wake: @escaping @Sendable () -> Void) async throws
}

/// A lease as the store holds it.
public struct Lease: Sendable, Equatable {
    public var holder: String
    public var url: String
    /// Bumped each time the lease changes hands.
    public var epoch: Int64
    /// Time left before it expires, on the store's clock.
    public var expiresIn: Duration

    public init(holder: String, url: String, epoch: Int64, expiresIn: Duration) {
        self.holder = holder
        self.url = url
        self.epoch = epoch
        self.expiresIn = expiresIn
    }
}

/// One node's report: who it is, where to reach it, its role and how far into the log its engine is.
public struct NodeReport: Sendable, Equatable, Codable {
    public var id: String
    public var url: String
    public var role: String
    public var appliedSequence: Int64
    /// How long ago the store received this report (filled in when read).
    public var seenAgoMilliseconds: Int64 = 0

    public init(id: String, url: String, role: String, appliedSequence: Int64) {
        self.id = id
        self.url = url
        self.role = role
        self.appliedSequence = appliedSequence
    }

    enum CodingKeys: String, CodingKey {
        case id, url, role, appliedSequence = "applied_sequence", seenAgoMilliseconds = "seen_ago_ms"
    }
}
