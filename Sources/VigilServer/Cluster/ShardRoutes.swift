import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VigilCore
import VigilStore

/// `GET /v1/cluster/shards/{k}?after=SEQ`: the aggregates of a shard this node owns (``ShardAggregates``,
/// binary), for the other nodes to count in their answers; `Vigil-Applied-Sequence` says the log position
/// they reflect, and `304` answers a reader that already has that position.
struct ShardRoutes: Sendable {
    let cluster: ClusterState
    let host: EngineHost
    let pipeline: IngestPipeline

    static var sequenceHeader: HTTPField.Name { HTTPField.Name("Vigil-Applied-Sequence")! }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/cluster/shards/{shard}") { request, context in
            try await answer(request, context)
        }
    }

    private func answer(_ request: Request, _ context: BasicRequestContext) async throws(APIError) -> Response {
        let count = host.read { $0.shardCount }
        guard let k = context.parameters.get("shard").flatMap(Int.init), k >= 0, k < count else {
            throw APIError(.notFound, "unknown_shard", "shard must be from 0 to \(count - 1)")
        }
        let state = cluster.current
        guard state.owned.contains(k) else {
            throw APIError(
                .notFound, "not_owner", "this node does not own shard \(k); GET /v1/cluster says which node does")
        }
        let sequence = state.role == .writer ? await pipeline.lastCommitted : state.appliedSequence
        var headers = HTTPFields()
        headers[Self.sequenceHeader] = String(sequence)
        let after = try request.uri.queryParameters.get("after").map { (text) throws(APIError) -> Int64 in
            guard let value = Int64(text) else {
                throw .badRequest("invalid_parameter", "after must be a log sequence number, got '\(text.prefix(40))'")
            }
            return value
        }
        if after == sequence { return Response(status: .notModified, headers: headers) }
        let part = host.read { $0.aggregates(ofShard: k) }
        let bytes: [UInt8]
        do {
            bytes = try BinaryEncoder(expectedSize: 1 << 16).encode(part)
        } catch {
            throw APIError(.internalServerError, "encoding_failed", "could not encode shard \(k): \(error)")
        }
        headers[.contentType] = "application/octet-stream"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
