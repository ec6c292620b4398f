import Foundation
import Hummingbird
import VigilCore
import VigilStore

/// `GET /v1/trace/{prediction_id}`: from a prediction back to what produced it — its model and version, the
/// version's deployment, the run that trained it, that run's input datasets and, for each, the run that
/// wrote the version it read, with every gate check on the way (see `docs/lineage.md#trace`).
struct TraceRoutes: Sendable {
    let host: EngineHost
    let log: any Store
    let deployments: DeploymentRegistry

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/trace/{id}") { _, context in try await trace(try context.parameters.decoded("id")) }
    }

    struct Trace: Encodable {
        struct Graph: Encodable {
            var nodes: [Blame.Node]
            var edges: [VersionLineage.Edge]
        }

        var prediction: Engine.PredictionRecord
        var lineage: VersionLineage
        /// Every failed gate check and failed assertion on the way, most upstream last.
        var suspects: [String]
        /// The same lineage as nodes and edges, from the prediction upstream.
        var graph: Graph

        func encode(to encoder: any Encoder) throws {
            try lineage.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(prediction, forKey: .prediction)
            try c.encode(suspects, forKey: .suspects)
            try c.encode(graph, forKey: .graph)
        }

        enum CodingKeys: String, CodingKey { case prediction, suspects, graph }
    }

    func trace(_ id: String) async throws(APIError) -> Response {
        try host.requireReady()
        guard let prediction = host.read({ $0.prediction(id) }) else {
            throw APIError(
                .notFound, "unknown_prediction",
                "no served prediction '\(id.prefix(64))' in the join: never sent, or older than the label horizon")
        }
        let lineage = try await VersionLineage(
            model: prediction.model, version: prediction.version, log: log, deployments: deployments)
        let (nodes, edges) = lineage.graph(model: prediction.model, version: prediction.version)
        let predictionNode = Blame.Node(
            id: "prediction:\(prediction.id)", kind: .prediction, label: "prediction \(prediction.id)", depth: -1)
        let served = VersionLineage.Edge(from: predictionNode.id, to: nodes[0].id, relation: "served_by")
        return JSONResponse.make(
            Trace(
                prediction: prediction, lineage: lineage, suspects: lineage.suspects,
                graph: .init(nodes: [predictionNode] + nodes, edges: [served] + edges)))
    }
}
