import Foundation
import Synchronization

/// This node's place among the nodes sharing a store: its id and URL, whether it is the writer, who the writer
/// is, and how far into the log its engine is. Read by the routes (a follower forwards writes), the
/// maintenance service (only the writer snapshots) and the alert loop (only the writer evaluates).
final class ClusterState: Sendable {
    enum Role: String, Sendable {
        /// The only node (SQLite, or a store without leases): writes and serves everything.
        case single
        /// Holds the writer lease: commits ingest, snapshots, evaluates alerts.
        case writer
        /// Tails the log and answers queries; forwards writes to the writer.
        case follower
    }

    struct Snapshot: Sendable {
        var role: Role
        /// The writer's URL as its lease says (a follower's forwarding target).
        var writerURL: String?
        var appliedSequence: Int64
        /// Bumped each time this node becomes the writer, so the alert loop reloads what it tracks.
        var terms: Int
        /// The engine shards this node applies (all of them on a single node).
        var owned: Set<Int> = []
        /// What the leases say (the log's loop makes `role`, `writerURL` and `owned` follow): whether this node
        /// holds the writer lease, the writer's URL, and the shards whose leases this node holds.
        var holdsWriterLease = false
        var leaseWriterURL: String?
        var heldShards: Set<Int> = []
        /// Bumped when the engine is rebuilt (and loses its copies of the other shards).
        var copies = 0
        /// The other shards: who owns each and how fresh this node's copy of its aggregates is.
        var remote: [Int: RemoteShard] = [:]

        /// This node's engine position when the log ends at `last`: a node that writes is at the end.
        func applied(logEnd last: Int64) -> Int64 { role == .follower ? appliedSequence : last }

        /// Every shard's log position as this node holds it, by shard: `own` for the shards it owns, the owner's
        /// when this node last read the others (`nil`: not read yet).
        func shardPositions(own: Int64) -> [Int64?] {
            (0..<(owned.count + remote.count)).map { owned.contains($0) ? own : remote[$0]?.sequence }
        }
    }

    /// A shard another node owns, as this node last saw it.
    struct RemoteShard: Sendable {
        var owner: String?
        var url: String?
        /// The owner's log position when this node last read the shard's aggregates (`nil`: never read).
        var sequence: Int64?
        var fetchedAt: ContinuousClock.Instant?
    }

    let id: String
    let url: String
    private let state: Mutex<Snapshot>

    init(id: String, url: String, role: Role) {
        self.id = id
        self.url = url
        state = Mutex(Snapshot(role: role, writerURL: role == .follower ? nil : url, appliedSequence: 0, terms: 0))
    }

    var current: Snapshot { state.withLock { $0 } }

    /// Whether this node commits writes (the writer, or the only node).
    var writes: Bool { current.role != .follower }

    func become(_ role: Role, writerURL: String?) {
        state.withLock {
            if role == .writer && $0.role != .writer { $0.terms += 1 }
            $0.role = role
            $0.writerURL = writerURL
        }
    }

    func applied(_ sequence: Int64) { state.withLock { $0.appliedSequence = sequence } }

    /// What the writer lease says.
    func leases(writer: Bool, writerURL: String?) {
        state.withLock {
            $0.holdsWriterLease = writer
            $0.leaseWriterURL = writerURL
        }
    }

    /// The shards whose leases this node holds.
    func hold(_ shards: Set<Int>) { state.withLock { $0.heldShards = shards } }

    /// This node now applies `owned`; a shard it gives up is read from its next owner.
    func own(_ owned: Set<Int>) {
        state.withLock {
            $0.owned = owned
            for k in owned { $0.remote[k] = nil }
        }
    }

    /// Who owns each shard this node does not (from the shard leases).
    func owners(_ owners: [Int: (id: String, url: String)], shards: Int) {
        state.withLock {
            for k in 0..<shards where !$0.owned.contains(k) {
                var shard = $0.remote[k] ?? RemoteShard()
                if shard.owner != owners[k]?.id { shard.sequence = nil }
                shard.owner = owners[k]?.id
                shard.url = owners[k]?.url
                $0.remote[k] = shard
            }
        }
    }

    /// The engine was rebuilt without the other shards' aggregates: read them all again.
    func forgetCopies() {
        state.withLock {
            for k in $0.remote.keys { $0.remote[k]!.sequence = nil }
            $0.copies += 1
        }
    }

    /// This node read shard `k`'s aggregates at its owner's position `sequence` (unless the engine was rebuilt
    /// since the read began, `generation` being ``Snapshot/copies`` then).
    func fetched(_ k: Int, at sequence: Int64, generation: Int) {
        state.withLock {
            guard $0.remote[k] != nil, $0.copies == generation else { return }
            $0.remote[k]!.sequence = sequence
            $0.remote[k]!.fetchedAt = .now
        }
    }

    /// A node id: the host name, the port and a random suffix (a restarted node is a new node).
    static func makeID(port: Int) -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "node"
        return "\(host)-\(port)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
