import Foundation
import VigilCore

/// `POST /v1/runs`: a run's state change for scripts that do not speak OpenLineage.
///
/// ```json
/// {"namespace": "taxi", "job": "build-features", "run_id": "r-2026-12-03", "state": "COMPLETE",
///  "inputs": [{"namespace": "s3://lake", "name": "raw.trips", "row_count": 120000}],
///  "outputs": [{"namespace": "s3://lake", "name": "features.trips", "row_count": 118400}]}
/// ```
enum RunBody {
    static let fields: Set<String> = ["namespace", "job", "run_id", "state", "time", "inputs", "outputs", "error", "code_version"]
    static let datasetFields: Set<String> = ["namespace", "name", "row_count", "version"]

    /// The event; `run_id` is generated when absent (the answer returns it for the next state change).
    static func decode(_ data: Data, now: Timestamp) throws(APIError) -> LineageEvent {
        let o = try JSONObjectBody.parse(
            data, #"body must be a JSON object such as {"namespace": "taxi", "job": "build-features", "state": "START"}"#)
        try JSONObjectBody.requireKnown(o, fields)
        let stateText = try OpenLineageBody.name(o["state"], "state", max: 16)
        guard let state = LineageEvent.State(rawValue: stateText.uppercased()) else {
            throw .badRequest("invalid_value", "state: '\(stateText.prefix(16))' is not one of START, RUNNING, COMPLETE, FAIL, ABORT")
        }
        let runId = try o["run_id"].map { (v) throws(APIError) in
            try OpenLineageBody.name(v, "run_id", max: OpenLineageBody.maxRunIdBytes)
        } ?? UUID().uuidString.lowercased()
        return LineageEvent(
            state: state, time: try o["time"].map { (v) throws(APIError) in try OpenLineageBody.time(v, "time") } ?? now,
            runId: runId,
            job: JobRef(namespace: try OpenLineageBody.name(o["namespace"], "namespace"), name: try OpenLineageBody.name(o["job"], "job")),
            inputs: try datasets(o["inputs"], "inputs"), outputs: try datasets(o["outputs"], "outputs"),
            errorMessage: try OpenLineageBody.optionalString(o["error"], "error").map { String($0.prefix(4096)) },
            codeVersion: try OpenLineageBody.optionalString(o["code_version"], "code_version").map { String($0.prefix(1024)) })
    }

    static func datasets(_ value: Any?, _ field: String) throws(APIError) -> [DatasetFacts] {
        guard let value, !(value is NSNull) else { return [] }
        guard let list = value as? [Any], list.count <= OpenLineageBody.maxItems else {
            throw .badRequest("invalid_type", "\(field): expected an array of at most \(OpenLineageBody.maxItems) datasets")
        }
        return try list.enumerated().map { (i, item) throws(APIError) in
            let path = "\(field)[\(i)]"
            let d = try OpenLineageBody.dictionary(item, path)
            try JSONObjectBody.requireKnown(d, datasetFields, path: path)
            if let rows = d["row_count"], OpenLineageBody.integer(rows) == nil {
                throw .badRequest("invalid_type", "\(path).row_count: expected a whole number ≥ 0")
            }
            return DatasetFacts(
                namespace: try OpenLineageBody.name(d["namespace"], "\(path).namespace"),
                name: try OpenLineageBody.name(d["name"], "\(path).name"), rowCount: OpenLineageBody.integer(d["row_count"]),
                version: try OpenLineageBody.optionalString(d["version"], "\(path).version"))
        }
    }
}
