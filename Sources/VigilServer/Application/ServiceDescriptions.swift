/// What the service lifecycle's logs call each service. Without these, `ServiceGroup` logs a service's
/// derived description at debug level — every stored property, so the whole `ServerConfiguration`, the store URL
/// with its password, the webhook secret and the peer token — and a dozen kilobytes a line.
extension MaintenanceService: CustomStringConvertible {
    var description: String { "MaintenanceService" }
}

extension AlertService: CustomStringConvertible {
    var description: String { "AlertService" }
}

extension ClusterService: CustomStringConvertible {
    var description: String { "ClusterService" }
}

extension MLflowPoller: CustomStringConvertible {
    var description: String { "MLflowPoller" }
}
