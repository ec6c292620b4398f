import HTTPTypes
import VigilCore

/// An SLO as `GET /v1/slos/{name}` shows it: the definition with its effective rules, its status, its live
/// alerts and any warnings.
struct SLOResponse: Encodable {
    var slo: SLODefinition
    var rules: [AlertRule]
    var status: SLOStatus?
    /// Present when the status was computed as of a past time from the log (`?at=`).
    var asOf: Timestamp?
    var alerts: [Alert]?
    var warnings: [String]

    init(_ slo: SLODefinition, status: SLOStatus? = nil, alerts: [Alert]? = nil, asOf: Timestamp? = nil) {
        self.slo = slo
        rules = slo.rules
        self.status = status
        self.alerts = alerts
        self.asOf = asOf
        warnings = slo.warnings
    }

    enum CodingKeys: String, CodingKey {
        case slo, rules, status, asOf = "as_of", alerts, warnings
    }
}

struct SLOListResponse: Encodable {
    var at: Timestamp
    var slos: [SLOResponse]
}

struct AlertListResponse: Encodable {
    var alerts: [Alert]
}

struct BacktestResponse: Encodable {
    var backtest: SLOBacktest.Result
    /// The earliest event in the retained log: history before it was pruned and is not replayed.
    var historyFrom: Timestamp?

    enum CodingKeys: String, CodingKey {
        case backtest
        case historyFrom = "history_from"
    }
}
