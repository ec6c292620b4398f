import HTTPTypes
import Hummingbird

/// On a node of a cluster that spreads its shards (`--partition-shards`), every answer under `/v1/` says how fresh each shard's part of it is:
/// `Vigil-Shard-Sequences: 0=812,1=809,…` gives, per shard, the log position its aggregates reflect (this
/// node's own for the shards it owns, the owner's when this node last read the others; `-` for one not read
/// yet), beside `Vigil-Applied-Sequence`, this node's position.
struct ShardFreshness: RouterMiddleware {
    typealias Context = BasicRequestContext

    let cluster: ClusterState

    static var header: HTTPField.Name { HTTPField.Name("Vigil-Shard-Sequences")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        let state = cluster.current
        guard !state.remote.isEmpty, request.uri.path.hasPrefix("/v1/") else { return response }
        let sequences = state.shardPositions(own: state.appliedSequence).enumerated().map { k, sequence in
            "\(k)=\(sequence.map(String.init) ?? "-")"
        }
        response.headers[Self.header] = sequences.joined(separator: ",")
        // A shard's aggregates carry the position they were read at: this node may have moved on since.
        if response.headers[ShardRoutes.sequenceHeader] == nil {
            response.headers[ShardRoutes.sequenceHeader] = String(state.appliedSequence)
        }
        return response
    }
}
