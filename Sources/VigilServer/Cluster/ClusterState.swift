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

        /// This node's engine position when the log ends at `last`: a node that writes is at the end.
        func applied(logEnd last: Int64) -> Int64 { role == .follower ? appliedSequence : last }
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

    /// A node id: the host name, the port and a random suffix (a restarted node is a new node).
    static func makeID(port: Int) -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "node"
        return "\(host)-\(port)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
