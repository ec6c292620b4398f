import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import VigilServer

/// On a partitioned cluster every answer says each shard's log position, and a shard's aggregates keep the
/// position they were read at (a node that moved on since must not relabel them: a reader would take an old
/// copy for a current one and never read it again).
struct ShardFreshnessTests {
    @Test func answersSayEachShardsPositionAndAShardKeepsItsOwn() async throws {
        let cluster = ClusterState(id: "a", url: "http://127.0.0.1:1", role: .follower)
        cluster.own([0])
        cluster.owners([1: (id: "b", url: "http://127.0.0.1:2")], shards: 2)
        cluster.applied(9)
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ShardFreshness(cluster: cluster))
        router.get("/v1/cluster/shards/0") { _, _ in
            var headers = HTTPFields()
            headers[ShardRoutes.sequenceHeader] = "5"
            return Response(status: .ok, headers: headers)
        }
        router.get("/v1/models") { _, _ in "{}" }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/v1/cluster/shards/0", method: .get) { response in
                #expect(response.headers[ShardRoutes.sequenceHeader] == "5")
                #expect(response.headers[ShardFreshness.header] == "0=9,1=-")
            }
            cluster.fetched(1, at: 7, generation: cluster.current.copies)
            try await client.execute(uri: "/v1/models", method: .get) { response in
                #expect(response.headers[ShardRoutes.sequenceHeader] == "9")
                #expect(response.headers[ShardFreshness.header] == "0=9,1=7")
            }
        }
    }
}
