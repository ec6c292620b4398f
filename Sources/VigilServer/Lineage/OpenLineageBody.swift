import Foundation
import VigilCore

/// Reads an OpenLineage event (`POST /api/v1/lineage`) or Vigil's plain run body (`POST /v1/runs`) into a
/// ``LineageEvent``, refusing what cannot be one with a 400 that names the field.
///
/// As the specification asks of consumers, facets Vigil does not read are accepted and ignored; top-level
/// fields outside the specification are refused, since no producer sends them.
enum OpenLineageBody {
    static let topLevel: Set<String> = ["eventType", "eventTime", "run", "job", "inputs", "outputs", "producer", "schemaURL"]
    /// Longest namespace, job or dataset name, and run id.
    static let maxNameBytes = 1024
    static let maxRunIdBytes = 256
    /// Datasets per event, schema fields and assertions per dataset.
    static let maxItems = 1000

    enum Parsed {
        case run(LineageEvent)
        /// A static DatasetEvent or JobEvent (spec 2-0-x): valid, not stored.
        case staticLineage(String)
    }

    static func decode(_ data: Data) throws(APIError) -> Parsed {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .badRequest("malformed_json", "body must be one OpenLineage event, a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !topLevel.contains($0) && $0 != "dataset" }) {
            throw .badRequest(
                "unknown_field", "unknown field '\(unknown.prefix(64))'; an OpenLineage event has \(topLevel.sorted().joined(separator: ", "))")
        }
        for key in ["producer", "schemaURL"] { _ = try optionalString(object[key], key) }
        let stateText = try optionalString(object["eventType"], "eventType") ?? "OTHER"
        guard let state = LineageEvent.State(rawValue: stateText) else {
            throw .badRequest(
                "invalid_value", "eventType: '\(stateText.prefix(32))' is not one of \(LineageEvent.State.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if object["run"] == nil {
            // Static lineage (spec 2-0-x): checked like the rest, then acknowledged.
            _ = try time(object["eventTime"], "eventTime")
            for kind in ["dataset", "job"] where object[kind] != nil {
                let d = try dictionary(object[kind], kind)
                _ = try name(d["namespace"], "\(kind).namespace")
                _ = try name(d["name"], "\(kind).name")
                _ = try optionalDictionary(d["facets"], "\(kind).facets")
                _ = try datasets(object["inputs"], "inputs", facetKey: "inputFacets")
                _ = try datasets(object["outputs"], "outputs", facetKey: "outputFacets")
                return .staticLineage(kind == "dataset" ? "DatasetEvent" : "JobEvent")
            }
            throw .badRequest("missing_field", "run: an OpenLineage RunEvent needs run.runId")
        }
        guard object["dataset"] == nil else {
            throw .badRequest("unknown_field", "dataset: belongs to a DatasetEvent; a RunEvent lists inputs and outputs")
        }
        let run = try dictionary(object["run"], "run")
        let job = try dictionary(object["job"], "job")
        let runFacets = try optionalDictionary(run["facets"], "run.facets") ?? [:]
        let jobFacets = try optionalDictionary(job["facets"], "job.facets") ?? [:]
        return .run(
            LineageEvent(
                state: state, time: try time(object["eventTime"], "eventTime"),
                runId: try name(run["runId"], "run.runId", max: maxRunIdBytes),
                job: JobRef(namespace: try name(job["namespace"], "job.namespace"), name: try name(job["name"], "job.name")),
                inputs: try datasets(object["inputs"], "inputs", facetKey: "inputFacets"),
                outputs: try datasets(object["outputs"], "outputs", facetKey: "outputFacets"),
                errorMessage: (runFacets["errorMessage"] as? [String: Any])?["message"].flatMap { $0 as? String }
                    .map { String($0.prefix(4096)) },
                parentRunId: ((runFacets["parent"] as? [String: Any])?["run"] as? [String: Any])?["runId"] as? String,
                codeVersion: codeVersion(jobFacets), producer: object["producer"] as? String))
    }

    static func codeVersion(_ facets: [String: Any]) -> String? {
        guard let location = facets["sourceCodeLocation"] as? [String: Any] else { return nil }
        return ((location["version"] as? String) ?? (location["url"] as? String)).map { String($0.prefix(1024)) }
    }

    static func datasets(_ value: Any?, _ field: String, facetKey: String) throws(APIError) -> [DatasetFacts] {
        guard let value, !(value is NSNull) else { return [] }
        guard let list = value as? [Any] else { throw .badRequest("invalid_type", "\(field): expected an array of datasets") }
        guard list.count <= maxItems else {
            throw .badRequest("limit_exceeded", "\(field): \(list.count) datasets; at most \(maxItems) per event")
        }
        return try list.enumerated().map { (i, item) throws(APIError) in
            let path = "\(field)[\(i)]"
            let d = try dictionary(item, path)
            var facts = DatasetFacts(
                namespace: try name(d["namespace"], "\(path).namespace"), name: try name(d["name"], "\(path).name"))
            let facets = try optionalDictionary(d["facets"], "\(path).facets") ?? [:]
            // Both kinds of facets must be objects, though only this role's are read.
            let io = try optionalDictionary(d[facetKey], "\(path).\(facetKey)") ?? [:]
            for other in ["inputFacets", "outputFacets"] where other != facetKey {
                _ = try optionalDictionary(d[other], "\(path).\(other)")
            }
            if let schema = facets["schema"] as? [String: Any], let fields = schema["fields"] as? [Any] {
                facts.fields = fields.prefix(maxItems).compactMap { $0 as? [String: Any] }.compactMap { f in
                    (f["name"] as? String).map { DatasetFacts.Field(name: String($0.prefix(256)), type: f["type"] as? String) }
                }
            }
            if let version = (facets["version"] as? [String: Any])?["datasetVersion"] as? String {
                facts.version = String(version.prefix(256))
            }
            // The spec has data-quality metrics as an input facet; producers also send them on outputs.
            let metrics = (io["dataQualityMetrics"] ?? facets["dataQualityMetrics"]) as? [String: Any]
            let statistics = io["outputStatistics"] as? [String: Any]
            facts.rowCount = integer(metrics?["rowCount"]) ?? integer(statistics?["rowCount"])
            if let columns = metrics?["columnMetrics"] as? [String: Any] {
                var nulls: [String: Int64] = [:]
                for (column, m) in columns.prefix(maxItems) {
                    if let n = integer((m as? [String: Any])?["nullCount"]) { nulls[String(column.prefix(256))] = n }
                }
                facts.nullCounts = nulls.isEmpty ? nil : nulls
            }
            // Assertions come as a dataset facet (spec) or an input facet (older producers).
            let assertions = (facets["dataQualityAssertions"] ?? io["dataQualityAssertions"]) as? [String: Any]
            if let list = assertions?["assertions"] as? [Any] {
                facts.assertions = list.prefix(maxItems).compactMap { $0 as? [String: Any] }.compactMap { a in
                    guard let name = a["assertion"] as? String, let success = a["success"] as? Bool else { return nil }
                    return DatasetFacts.Assertion(
                        assertion: String(name.prefix(256)), success: success,
                        column: (a["column"] as? String).map { String($0.prefix(256)) })
                }
            }
            return facts
        }
    }

    // MARK: - Fields

    static func dictionary(_ value: Any?, _ field: String) throws(APIError) -> [String: Any] {
        guard let value, !(value is NSNull) else { throw .badRequest("missing_field", "\(field): missing") }
        guard let d = value as? [String: Any] else { throw .badRequest("invalid_type", "\(field): expected an object") }
        return d
    }

    static func optionalDictionary(_ value: Any?, _ field: String) throws(APIError) -> [String: Any]? {
        guard let value, !(value is NSNull) else { return nil }
        return try dictionary(value, field)
    }

    static func optionalString(_ value: Any?, _ field: String) throws(APIError) -> String? {
        guard let value, !(value is NSNull) else { return nil }
        guard let s = value as? String else { throw .badRequest("invalid_type", "\(field): expected a string") }
        return s
    }

    static func name(_ value: Any?, _ field: String, max: Int = maxNameBytes) throws(APIError) -> String {
        guard let s = try optionalString(value, field), !s.isEmpty else {
            throw .badRequest("missing_field", "\(field): missing or empty")
        }
        guard s.utf8.count <= max else {
            throw .badRequest("too_long", "\(field): \(s.utf8.count) bytes; at most \(max)")
        }
        guard !s.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
            throw .badRequest("invalid_name", "\(field): '\(s.prefix(64))' contains a control character")
        }
        return s
    }

    static func time(_ value: Any?, _ field: String) throws(APIError) -> Timestamp {
        guard let text = try optionalString(value, field) else { throw .badRequest("missing_field", "\(field): missing") }
        do {
            let t = try Timestamp(iso8601: text)
            guard t.milliseconds >= 0 else { throw APIError.badRequest("invalid_value", "\(field): before 1970") }
            return t
        } catch let error as APIError {
            throw error
        } catch {
            throw .badRequest("invalid_value", "\(field): '\(text.prefix(64))' is not an ISO 8601 time")
        }
    }

    /// A whole number ≥ 0 from parsed JSON; `true`/`false` are not numbers (on Linux a JSON `1` also casts to
    /// Bool, so booleans are told apart by their Objective-C type code, `c`).
    static func integer(_ value: Any?) -> Int64? {
        guard let n = value as? NSNumber, String(cString: n.objCType) != "c" else { return nil }
        let d = n.doubleValue
        return d.isFinite && d >= 0 && d < 9e18 && d == d.rounded() ? Int64(d) : nil
    }
}
