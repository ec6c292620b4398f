/// Why a deployment record was refused, naming the field.
public struct DeploymentError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A field has a wrong value (a share outside 0…1, an end before the start, a name too long…).
        case invalidDeployment = "invalid_deployment"
        /// The model already has a primary serving.
        case stageConflict = "stage_conflict"
        /// The serving versions' traffic shares would add up to more than 1.
        case trafficShareExceeded = "traffic_share_exceeded"
        /// A documented limit (deployments per model, metrics, labels…) would be exceeded.
        case limitExceeded = "limit_exceeded"
    }

    public var code: Code
    /// The field at fault, as in the JSON body (`traffic_share`, `offline_metrics.auc`).
    public var field: String
    public var message: String

    public init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { message }
}
