import Foundation
import Hummingbird
import VigilCore
import VigilStore

/// `GET /v1/blame?model=M[&from=&to=]`: the pipeline nodes most implicated in the model's flagged outputs
/// over the range (default: the last 30 days), against its unflagged ones (see ``Blame`` and
/// `docs/lineage.md#blame`).
struct BlameRoutes: Sendable {
    let host: EngineHost
    let log: any Store
    let deployments: DeploymentRegistry
    let clock: @Sendable () -> Timestamp

    /// Ranked nodes answered, the most implicated.
    static let maxNodes = 50

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/blame") { request, _ in try await blame(request) }
    }

    struct VersionOutputs: Encodable {
        var version: String
        var outputs: Int64
        var flagged: Int64
        var gaps: [String]
    }

    struct Answer: Encodable {
        var model: String
        var from: Timestamp
        var to: Timestamp
        var outputs: Int64
        var flagged: Int64
        var versions: [VersionOutputs]
        var ranked: [Blame.Ranked]
        var note: String?
    }

    func blame(_ request: Request) async throws(APIError) -> Response {
        let query = QueryParameters.dictionary(request)
        try QueryParameters.requireKnown(query, ["model", "from", "to"])
        try host.requireReady()
        guard let model = query["model"] else { throw .badRequest("missing_parameter", "model: missing") }
        let to = try MetricQuery.time(query["to"], "to") ?? clock()
        let from = try MetricQuery.time(query["from"], "from") ?? to - .seconds(30 * 86_400)
        guard from < to else { throw .badRequest("invalid_parameter", "from: must be before to") }
        let flags = try await PipelineStore.read { try await log.flags(model: model) }
        let counts = try outputs(model, flags, from: from, to: to)
        var populations: [Blame.Population] = []
        var versions: [VersionOutputs] = []
        for (version, (total, flagged)) in counts.sorted(by: { $0.key < $1.key }) where total > 0 {
            let lineage = try await VersionLineage(model: model, version: version, log: log, deployments: deployments)
            populations.append(
                Blame.Population(
                    version: version, flagged: flagged, total: total,
                    nodes: lineage.graph(model: model, version: version).nodes))
            versions.append(
                VersionOutputs(version: version, outputs: total, flagged: min(flagged, total), gaps: lineage.gaps))
        }
        let flagged = versions.reduce(0) { $0 + $1.flagged }
        return JSONResponse.make(
            Answer(
                model: model, from: from, to: to, outputs: versions.reduce(0) { $0 + $1.outputs }, flagged: flagged,
                versions: versions, ranked: flagged > 0 ? Array(Blame.rank(populations).prefix(Self.maxNodes)) : [],
                note: flagged > 0 ? nil : "no flagged outputs of \(model) in the range: flag them with POST /v1/flags"))
    }

    /// Per served version: its outputs in `[from, to)` and how many of them the flags mark — listed ids
    /// (each once) plus the outputs in each range flag's overlap.
    private func outputs(_ model: String, _ flags: [OutputFlag], from: Timestamp, to: Timestamp) throws(APIError)
        -> [String: (total: Int64, flagged: Int64)]
    {
        try host.query { (engine) throws(QueryError) -> [String: (total: Int64, flagged: Int64)] in
            let summary = try engine.modelSummary(model)
            func count(_ version: String, _ a: Timestamp, _ b: Timestamp, _ segment: Segment?) throws(QueryError)
                -> Int64
            {
                let report = try engine.metrics(
                    model: model, window: .range(from: a, to: b), version: version, segment: segment, names: ["count"])
                return Int64(report["count"]?.value ?? 0)
            }
            var out: [String: (total: Int64, flagged: Int64)] = [:]
            var listed: [String: Set<String>] = [:]
            for flag in flags {
                for p in flag.predictions where p.time >= from && p.time < to {
                    listed[p.version, default: []].insert(p.id)
                }
            }
            for version in summary.versions {
                var flagged = Int64(listed[version]?.count ?? 0)
                for flag in flags where flag.version == nil || flag.version == version {
                    guard let (a, b) = flag.overlap(from: from, to: to) else { continue }
                    flagged += try count(version, a, b, flag.segment)
                }
                out[version] = (try count(version, from, to, nil), flagged)
            }
            return out
        }
    }
}
