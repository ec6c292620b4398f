import Foundation
import Hummingbird
import VigilCore

/// `POST /v1/models/{model}/slices/monitor`: one call that turns a slice (as `GET …/slices` or
/// `…/slices/suggestions` name it) into an SLO on the slice's metric.
///
/// ```json
/// {"slice": "payment_type = cash & pickup_borough = Brooklyn", "metric": "accuracy", "objective": ">= 0.8"}
/// ```
///
/// `metric` defaults to accuracy. `objective` and `window` default to the model's SLO on the same metric
/// (without a slice), so a slice is held to what its model is held to; without one, `objective` is required.
/// `name` defaults to `MODEL-METRIC-` and the slice's words. `owner`, `labels`, `min_samples`, `alerts` … pass
/// through as in `PUT /v1/slos/{name}`.
extension SLORoutes {
    static let monitorFields: Set<String> = SLODefinition.fields.subtracting(["model", "sli", "slice"]).union([
        "slice", "metric",
    ])

    func monitor(model: String, _ request: Request) async throws(APIError) -> Response {
        let body = try await RequestBody.collect(request, limit: 64 * 1024, timeout: configuration.bodyReadTimeout)
        guard var object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        else {
            throw .badRequest(
                "malformed_json",
                #"body must be a JSON object such as {"slice": "payment_type = cash", "objective": ">= 0.8"}"#)
        }
        if let unknown = object.keys.sorted().first(where: { !Self.monitorFields.contains($0) }) {
            throw .badRequest(
                "unknown_field",
                "unknown field '\(unknown.prefix(64))'; expected one of \(Self.monitorFields.sorted().joined(separator: ", "))"
            )
        }
        guard let slice = object["slice"] as? String, !slice.isEmpty else {
            throw .badRequest("invalid_slo", "slice: give the slice's name, as GET /v1/models/\(model)/slices lists it")
        }
        let metric = (object.removeValue(forKey: "metric") as? String) ?? "accuracy"
        guard SliceMetric(rawValue: metric) != nil else {
            throw .badRequest("invalid_slo", "metric: '\(metric.prefix(32))' is not accuracy, precision or recall")
        }
        let parent = registry.all.first { $0.model == model && $0.slice == nil && $0.sli == .metric(metric) }
        if object["objective"] == nil {
            guard let parent else {
                throw .badRequest(
                    "invalid_slo",
                    "objective: model '\(model.prefix(64))' has no \(metric) SLO to take it from; give one such as \">= 0.8\""
                )
            }
            object["objective"] = parent.objective.description
        }
        if object["window"] == nil, let parent { object["window"] = parent.window.windowText }
        object["model"] = model
        object["sli"] = metric
        let name = (object["name"] as? String) ?? Self.monitorName(model: model, metric: metric, slice: slice)
        object["name"] = name
        let slo = try SLOBody.decode(object: object, name: name)
        try checkMetric(slo)
        let created = try await registry.put(slo, at: clock())
        return JSONResponse.make(SLOResponse(slo), status: created ? .created : .ok)
    }

    /// `taxi-tip-accuracy-payment_type-cash-pickup_borough-brooklyn`: the slice's letters and digits, lowercased.
    static func monitorName(model: String, metric: String, slice: String) -> String {
        let words = "\(model) \(metric) \(slice)".lowercased().split {
            !($0.isLetter || $0.isNumber || "_.".contains($0))
        }
        return String(words.joined(separator: "-").prefix(120))
    }
}
