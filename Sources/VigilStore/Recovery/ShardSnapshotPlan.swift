/// Where a rebuild of a node's shards starts and which shards it takes on the way: each shard from the newest
/// snapshot holding it (a node's shard snapshot, or a whole one), the engine from the oldest of these, and every
/// other shard adopted from its snapshot when the replay of the log reaches that snapshot's batch.
struct ShardSnapshotPlan: Equatable {
    /// A snapshot the plan reads: a whole one (by sequence) or a node's shard snapshot.
    enum Source: Equatable {
        case whole(Int64)
        case shards(ShardSnapshotInfo)

        var sequence: Int64 {
            switch self {
            case .whole(let sequence): return sequence
            case .shards(let info): return info.sequence
            }
        }
    }

    var start: Source
    /// The shards the start gives; the others are adopted.
    var startShards: Set<Int>
    /// Later snapshots (or others of the start's batch), oldest first, with the shards taken from each.
    var adoptions: [(source: Source, shards: Set<Int>)]

    /// The plan for `owned`, or `nil` when there are no shard snapshots or a shard `owned` names has no snapshot
    /// at all (the rebuild then starts from a whole snapshot, as a lone node's does). Snapshots older than
    /// `since` (a backfill's rebuild) are not read.
    init?(owned: Set<Int>, whole: Int64?, shardSnapshots: [ShardSnapshotInfo], since: Int64) {
        let shardSnapshots = shardSnapshots.filter { $0.sequence >= since }.sorted { $0.sequence > $1.sequence }
        guard let newest = shardSnapshots.first else { return nil }
        let whole = whole.flatMap { $0 >= since ? Source.whole($0) : nil }
        var sources: [Int: Source] = [:]
        for k in owned where k < newest.shardCount {
            let held = shardSnapshots.first { $0.shards.contains(k) }.map(Source.shards)
            guard let source = [held, whole].compactMap({ $0 }).max(by: { $0.sequence < $1.sequence }) else {
                return nil
            }
            sources[k] = source
        }
        guard let start = sources.values.min(by: { $0.sequence < $1.sequence }) else {
            // No shard is wanted: the newest snapshot gives what every node shares.
            self.start = [Source.shards(newest), whole].compactMap { $0 }.max { $0.sequence < $1.sequence }!
            startShards = []
            adoptions = []
            return
        }
        self.start = start
        startShards = Set(sources.filter { $0.value == start }.keys)
        var rest: [(source: Source, shards: Set<Int>)] = []
        for (k, source) in sources where source != start {
            if let i = rest.firstIndex(where: { $0.source == source }) {
                rest[i].shards.insert(k)
            } else {
                rest.append((source, [k]))
            }
        }
        adoptions = rest.sorted { $0.source.sequence < $1.source.sequence }
    }

    static func == (a: ShardSnapshotPlan, b: ShardSnapshotPlan) -> Bool {
        a.start == b.start && a.startShards == b.startShards
            && a.adoptions.map(\.source) == b.adoptions.map(\.source)
            && a.adoptions.map(\.shards) == b.adoptions.map(\.shards)
    }
}
