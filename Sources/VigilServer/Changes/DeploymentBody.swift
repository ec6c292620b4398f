import Foundation
import VigilCore

/// A `PUT /v1/models/{model}/deployments/{version}` body, read onto the stored record: fields given replace
/// the stored ones, `null` clears one, fields left out keep their value (a new record starts from defaults).
/// Unknown fields and values of the wrong type are 400s that name the field.
struct DeploymentBody: Decodable {
    /// A field as the body gives it.
    enum Field<T> {
        case absent, null, value(T)

        /// Applies the field to `target`: a value replaces it, `null` clears it.
        func apply(to target: inout T?) {
            switch self {
            case .absent: break
            case .null: target = nil
            case .value(let v): target = v
            }
        }
    }

    static let fields: [String] = [
        "model", "version", "stage", "traffic_share", "started_at", "ended_at", "owner", "code_ref", "training_run",
        "training_data", "offline_metrics", "labels",
    ]

    var model: Field<String>
    var version: Field<String>
    var stage: Field<String>
    var trafficShare: Field<Double>
    var startedAt: Field<String>
    var endedAt: Field<String>
    var owner: Field<String>
    var codeRef: Field<String>
    var trainingRun: Field<String>
    var trainingData: Field<[String]>
    var offlineMetrics: Field<[String: Double]>
    var labels: Field<[String: String]>

    struct UnknownField: Error { var name: String }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        if let unknown = c.allKeys.map(\.stringValue).sorted().first(where: { !Self.fields.contains($0) }) {
            throw UnknownField(name: unknown)
        }
        func field<T: Decodable>(_ name: String) throws -> Field<T> {
            let key = AnyCodingKey(stringValue: name)
            guard c.contains(key) else { return .absent }
            if try c.decodeNil(forKey: key) { return .null }
            return .value(try c.decode(T.self, forKey: key))
        }
        model = try field("model")
        version = try field("version")
        stage = try field("stage")
        trafficShare = try field("traffic_share")
        startedAt = try field("started_at")
        endedAt = try field("ended_at")
        owner = try field("owner")
        codeRef = try field("code_ref")
        trainingRun = try field("training_run")
        trainingData = try field("training_data")
        offlineMetrics = try field("offline_metrics")
        labels = try field("labels")
    }

    static func decode(_ data: Data) throws(APIError) -> DeploymentBody {
        do {
            return try JSONDecoder().decode(DeploymentBody.self, from: data)
        } catch let e as UnknownField {
            throw .badRequest(
                "unknown_field", "unknown field '\(e.name)'; expected one of \(fields.sorted().joined(separator: ", "))")
        } catch DecodingError.dataCorrupted(let c) where c.codingPath.isEmpty {
            throw .badRequest(
                "malformed_json", #"body must be a JSON object such as {"stage": "canary", "traffic_share": 0.1}"#)
        } catch DecodingError.typeMismatch(_, let c) where c.codingPath.isEmpty {
            throw .badRequest(
                "malformed_json", #"body must be a JSON object such as {"stage": "canary", "traffic_share": 0.1}"#)
        } catch {
            throw .badRequest("invalid_deployment", APIError.describeDecoding(error))
        }
    }

    /// The record after applying this body to `stored` (or to a new record for `model`/`version` at `now`).
    func applied(to stored: Deployment?, model: String, version: String, now: Timestamp) throws(APIError) -> Deployment {
        try agree(self.model, "model", model)
        try agree(self.version, "version", version)
        var d: Deployment
        if let stored {
            d = stored
        } else {
            guard case .value = stage else {
                throw .badRequest(
                    "invalid_deployment", "stage: a new deployment needs a stage (shadow, canary, primary or retired)")
            }
            d = Deployment(model: model, version: version, stage: .canary, startedAt: now)
        }
        d.updatedAt = now
        switch stage {
        case .absent: break
        case .null: throw .badRequest("invalid_deployment", "stage cannot be null")
        case .value(let text):
            guard let s = Deployment.Stage(rawValue: text) else {
                throw .badRequest(
                    "invalid_deployment", "stage: expected shadow, canary, primary or retired, got '\(text.prefix(64))'")
            }
            d.stage = s
        }
        switch startedAt {
        case .absent: break
        case .null: throw .badRequest("invalid_deployment", "started_at cannot be null")
        case .value(let text): d.startedAt = try MetricQuery.time(text, "started_at")!
        }
        switch endedAt {
        case .absent: break
        case .null: d.endedAt = nil
        case .value(let text): d.endedAt = try MetricQuery.time(text, "ended_at")
        }
        trafficShare.apply(to: &d.trafficShare)
        owner.apply(to: &d.owner)
        codeRef.apply(to: &d.codeRef)
        trainingRun.apply(to: &d.trainingRun)
        var data: [String]? = d.trainingData
        trainingData.apply(to: &data)
        d.trainingData = data ?? []
        var metrics: [String: Double]? = d.offlineMetrics
        offlineMetrics.apply(to: &metrics)
        d.offlineMetrics = metrics ?? [:]
        var tags: [String: String]? = d.labels
        labels.apply(to: &tags)
        d.labels = tags ?? [:]
        return d
    }

    private func agree(_ given: Field<String>, _ field: String, _ path: String) throws(APIError) {
        if case .value(let v) = given, v != path {
            throw .badRequest("invalid_deployment", "\(field): the body says '\(v.prefix(64))' but the path says '\(path)'")
        }
    }
}
