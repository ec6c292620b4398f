import Foundation
import Hummingbird
import VigilCore
import VigilStore

/// Data gates: named rule sets a dataset must pass (see `docs/lineage.md#data-gates`).
///
/// - `PUT /v1/gates/{name}`: the rules as JSON (the format of a model's rules), or `?suggest=true` with
///   reference rows (CSV, NDJSON or a JSON array) to infer them;
/// - `POST /v1/gates/{name}/check[?run_id=&dataset=NS/NAME]` with the rows to check (or `?format=profile` and
///   a column profile, see ``SummaryBody``): `pass` or `fail` with every violated rule per column, recorded (on
///   the run, when given);
/// - `GET /v1/gates`, `GET /v1/gates/{name}` (with its recent checks), `DELETE /v1/gates/{name}`.
struct GateRoutes: Sendable {
    let log: any Store
    let configuration: ServerConfiguration
    let clock: @Sendable () -> Timestamp

    func register(on router: Router<BasicRequestContext>) {
        router.put("/v1/gates/{name}") { request, context in
            try await put(try context.parameters.decoded("name"), request)
        }
        router.get("/v1/gates") { _, _ in try await list() }
        router.get("/v1/gates/{name}") { _, context in try await get(try context.parameters.decoded("name")) }
        router.delete("/v1/gates/{name}") { _, context in try await delete(try context.parameters.decoded("name")) }
        router.post("/v1/gates/{name}/check") { request, context in
            try await check(try context.parameters.decoded("name"), request)
        }
    }

    func put(_ name: String, _ request: Request) async throws(APIError) -> Response {
        guard DataGate.isValidName(name) else {
            throw .badRequest(
                "invalid_name",
                "gate name '\(name.prefix(64))' must be at most 128 ASCII letters, digits, '-', '_' or '.'")
        }
        let query = QueryParameters.dictionary(request)
        try QueryParameters.requireKnown(query, ["suggest", "description"])
        let body = try await RequestBody.collect(
            request, limit: configuration.maxBodyBytes, timeout: configuration.bodyReadTimeout)
        let rules: RuleSet
        switch query["suggest"] {
        case nil, "false": rules = try RuleSetBody.decode(Data(body.readableBytesView))
        case "true": rules = RuleSet.suggested(from: try Self.profile(body, request, what: "reference"))
        case let other?:
            throw .badRequest("invalid_value", "suggest: expected true or false, got '\(other.prefix(16))'")
        }
        let gate = DataGate(
            name: name, rules: rules, description: query["description"].map { String($0.prefix(1024)) },
            updatedAt: clock())
        let created = try await PipelineStore.write { try await log.saveGate(gate) }
        return JSONResponse.make(gate, status: created ? .created : .ok)
    }

    struct GateList: Encodable {
        struct Entry: Encodable {
            var gate: DataGate
            var lastCheck: GateCheck?

            enum CodingKeys: String, CodingKey { case gate, lastCheck = "last_check" }
        }

        var gates: [Entry]
    }

    func list() async throws(APIError) -> Response {
        let gates = try await PipelineStore.read { try await log.gates() }
        var entries: [GateList.Entry] = []
        for g in gates {
            let last = try await PipelineStore.read {
                try await log.gateChecks(gate: g.name, runId: nil, limit: 1).first
            }
            entries.append(GateList.Entry(gate: g, lastCheck: last))
        }
        return JSONResponse.make(GateList(gates: entries))
    }

    struct GateAnswer: Encodable {
        var gate: DataGate
        var checks: [GateCheck]
    }

    func get(_ name: String) async throws(APIError) -> Response {
        let gate = try await known(name)
        return JSONResponse.make(
            GateAnswer(
                gate: gate,
                checks: try await PipelineStore.read { try await log.gateChecks(gate: name, runId: nil, limit: 20) }))
    }

    func delete(_ name: String) async throws(APIError) -> Response {
        guard try await PipelineStore.write({ try await log.deleteGate(name) }) else { throw Self.unknown(name) }
        return Response(status: .noContent)
    }

    func check(_ name: String, _ request: Request) async throws(APIError) -> Response {
        let query = QueryParameters.dictionary(request)
        try QueryParameters.requireKnown(query, ["run_id", "dataset", "format"])
        let gate = try await known(name)
        let runId = try query["run_id"].map { (v) throws(APIError) in
            try OpenLineageBody.name(v, "run_id", max: OpenLineageBody.maxRunIdBytes)
        }
        let dataset = try query["dataset"].map { (v) throws(APIError) in try OpenLineageBody.name(v, "dataset") }
        let body = try await RequestBody.collect(
            request, limit: configuration.maxBodyBytes, timeout: configuration.bodyReadTimeout)
        let check: GateCheck
        switch query["format"] {
        case nil, "rows":
            let profile = try Self.profile(body, request, what: "dataset")
            check = GateCheck(gate: gate, profile: profile, at: clock(), runId: runId, dataset: dataset)
        case "profile":
            let summary = try SummaryBody.decode(Data(body.readableBytesView))
            check = GateCheck(gate: gate, summary: summary, at: clock(), runId: runId, dataset: dataset)
        case let other?:
            throw .badRequest("invalid_value", "format: expected rows or profile, got '\(other.prefix(16))'")
        }
        return JSONResponse.make(try await PipelineStore.write { try await log.recordGateCheck(check) })
    }

    /// The profile of rows sent as CSV with a header, NDJSON or a JSON array; a Content-Type, when given, must
    /// agree with what the body holds.
    static func profile(_ body: ByteBuffer, _ request: Request, what: String) throws(APIError) -> DataProfile {
        guard body.readableBytes > 0 else {
            throw .badRequest("empty_body", "send the \(what)'s rows: CSV with a header, NDJSON or a JSON array")
        }
        let first = body.readableBytesView.first { ![0x20, 0x0A, 0x0D, 0x09, 0xEF, 0xBB, 0xBF].contains($0) }
        let type = request.headers[.contentType]?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        let expected: (String, (UInt8?) -> Bool)? =
            switch type {
            case "text/csv": ("CSV", { $0 != UInt8(ascii: "[") && $0 != UInt8(ascii: "{") })
            case "application/x-ndjson": ("NDJSON", { $0 == UInt8(ascii: "{") })
            case "application/json": ("a JSON array", { $0 == UInt8(ascii: "[") })
            default: nil
            }
        if let (format, fits) = expected, !fits(first) {
            throw .badRequest("invalid_rows", "\(what): Content-Type \(type ?? "") says \(format), but the body is not")
        }
        do throws(ReferenceError) {
            return try ReferenceTable(bytes: Array(body.readableBytesView), task: nil).profile
        } catch {
            throw .badRequest("invalid_rows", "\(what): \(error.description)")
        }
    }

    private func known(_ name: String) async throws(APIError) -> DataGate {
        guard let gate = try await PipelineStore.read({ try await log.gate(name) }) else { throw Self.unknown(name) }
        return gate
    }

    static func unknown(_ name: String) -> APIError {
        APIError(
            .notFound, "unknown_gate", "no gate '\(name.prefix(64))': define it with PUT /v1/gates/\(name.prefix(64))")
    }
}
