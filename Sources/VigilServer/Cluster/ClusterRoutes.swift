import Foundation
import Hummingbird
import VigilCore
import VigilStore

/// `GET /v1/cluster`: the nodes sharing this store (each one's role, log position and lag behind the log's
/// end, and how long ago it reported), the writer lease, and this node's own view.
struct ClusterRoutes: Sendable {
    let cluster: ClusterState
    let log: any Store
    /// Nodes that have not reported for this long are left out (they are gone).
    let window: Duration

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/cluster") { _, _ in try await describe() }
    }

    struct Answer: Encodable {
        var node: String
        var role: String
        var writer: String?
        var store: String
        var lastSequence: Int64
        /// This node's engine position, live (the nodes' list holds what each last reported).
        var appliedSequence: Int64
        var lag: Int64
        var nodes: [Node]
        /// Every engine shard: its owner, and the log position this node's copy of it reflects.
        var shards: [Shard]
        /// The newest batch after which the store holds the whole engine (a whole snapshot, or a checkpoint's
        /// complete set of shard snapshots): where retention can cut the log (`nil`: nowhere yet).
        var completeSnapshotSequence: Int64?

        struct Shard: Encodable {
            var shard: Int
            var owner: String?
            var url: String?
            /// The position of this node's copy: its own position for a shard it owns, else its owner's when it
            /// last read the shard (`nil`: not read yet).
            var sequence: Int64?
            var lag: Int64?
            /// How long ago this node read the shard from its owner (`nil` for its own shards).
            var readAgoMs: Int64?
            /// The position of the newest snapshot holding the shard (whole, or a node's shard snapshot): a node
            /// taking it over replays the log after it (`nil`: none, it replays the whole log).
            var snapshotSequence: Int64?

            enum CodingKeys: String, CodingKey {
                case shard, owner, url, sequence, lag, readAgoMs = "read_ago_ms", snapshotSequence = "snapshot_sequence"
            }
        }

        struct Node: Encodable {
            var id: String
            var url: String
            var role: String
            var appliedSequence: Int64
            var lag: Int64
            var seenAgoMs: Int64

            enum CodingKeys: String, CodingKey {
                case id, url, role, lag, appliedSequence = "applied_sequence", seenAgoMs = "seen_ago_ms"
            }
        }

        enum CodingKeys: String, CodingKey {
            case node, role, writer, store, nodes, lag, shards, lastSequence = "last_sequence",
                appliedSequence = "applied_sequence", completeSnapshotSequence = "complete_snapshot_sequence"
        }
    }

    /// Every shard as this node sees it.
    private func shards(
        _ state: ClusterState.Snapshot, applied: Int64, last: Int64, snapshot: (Int) -> Int64?
    ) -> [Answer.Shard] {
        state.shardPositions(own: applied).enumerated().map { k, sequence in
            let mine = state.owned.contains(k)
            let remote = state.remote[k]
            return Answer.Shard(
                shard: k, owner: mine ? cluster.id : remote?.owner, url: mine ? cluster.url : remote?.url,
                sequence: sequence,
                lag: sequence.map { max(0, last - $0) },
                readAgoMs: remote?.fetchedAt.map { (ContinuousClock.now - $0).milliseconds },
                snapshotSequence: snapshot(k))
        }
    }

    /// What the stored snapshots hold: the newest batch after which they hold the whole engine, and the position
    /// of the newest snapshot holding each shard.
    private func snapshots() async throws -> (complete: Int64?, shard: (Int) -> Int64?) {
        let whole = try await log.snapshotSequences().last
        let held = try await (log as? any ShardSnapshotStore)?.shardSnapshots() ?? []
        let complete = [whole, held.completeSets.last?.first?.sequence].compactMap { $0 }.max()
        return (complete, { k in [whole, held.first { $0.shards.contains(k) }?.sequence].compactMap { $0 }.max() })
    }

    func describe() async throws(APIError) -> Response {
        let state = cluster.current
        do {
            let last = try await log.lastSequence()
            let applied = state.applied(logEnd: last)
            var nodes: [Answer.Node]
            var store = "sqlite"
            if let shared = log as? any ClusterStore {
                store = "postgres"
                nodes = try await shared.nodes(seenWithin: window).map {
                    Answer.Node(
                        id: $0.id, url: $0.url, role: $0.role, appliedSequence: $0.appliedSequence,
                        lag: max(0, last - $0.appliedSequence), seenAgoMs: $0.seenAgoMilliseconds)
                }
            } else {
                nodes = [
                    Answer.Node(
                        id: cluster.id, url: cluster.url, role: state.role.rawValue, appliedSequence: last, lag: 0,
                        seenAgoMs: 0)
                ]
            }
            let snapshots = try await snapshots()
            return JSONResponse.make(
                Answer(
                    node: cluster.id, role: state.role.rawValue, writer: state.writerURL, store: store,
                    lastSequence: last, appliedSequence: applied, lag: max(0, last - applied), nodes: nodes,
                    shards: shards(state, applied: applied, last: last, snapshot: snapshots.shard),
                    completeSnapshotSequence: snapshots.complete))
        } catch {
            throw .unavailable("could not read the cluster's state from the store: \(error)")
        }
    }
}
