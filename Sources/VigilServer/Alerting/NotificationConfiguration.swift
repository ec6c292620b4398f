import HTTPTypes
import VigilCore

/// Where alerts go and how hard delivery tries.
public struct NotificationConfiguration: Sendable {
    /// A generic JSON webhook; each request is signed with HMAC-SHA256 of `TIMESTAMP.BODY` when a secret is set.
    public var webhookURL: String?
    public var webhookSecret: String?
    /// Prometheus Alertmanager's base URL (its v2 API: `POST /api/v2/alerts`).
    public var alertmanagerURL: String?
    /// Retries with exponential backoff on connection errors, 5xx and 429.
    public var retry = RetryPolicy()
    /// Firing alerts are re-sent to Alertmanager this often, as Prometheus does, so they do not time out there.
    public var alertmanagerResendInterval: Duration = .seconds(60)
    /// A notification still undelivered after this long (receiver down for a day) is dropped and logged.
    public var outboxMaxAge: Duration = .seconds(86_400)
    /// The server's address as receivers should link to it (Alertmanager's `generatorURL`).
    public var externalURL: String?

    public init() {}

    public var isEmpty: Bool { webhookURL == nil && alertmanagerURL == nil }
}

/// Exponential backoff: `initialDelay`, doubling, at most `maxDelay`. Queued notifications retry until
/// ``NotificationConfiguration/outboxMaxAge``; Alertmanager refreshes at most `maxAttempts` times.
public struct RetryPolicy: Sendable {
    public var maxAttempts = 6
    public var initialDelay: Duration = .milliseconds(500)
    public var maxDelay: Duration = .seconds(30)
    /// Each attempt's deadline.
    public var timeout: Duration = .seconds(10)

    public init() {}

    /// The pause after failed attempt `n` (1-based).
    func delay(after attempt: Int) -> Duration {
        let factor = 1 << min(attempt - 1, 20)
        return min(maxDelay, initialDelay * factor)
    }
}
