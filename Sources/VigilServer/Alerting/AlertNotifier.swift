import AsyncHTTPClient
import Crypto
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import VigilCore
import VigilStore

/// Delivers alert notifications to a webhook and to Alertmanager, in order, retrying with backoff.
///
/// Transitions go through a durable outbox: the alert loop stores each notification in the same transaction
/// as the alert change (``AlertStore/saveAlerts(_:notifying:)``), and ``run()`` delivers what is due, oldest
/// first, deleting each message once a receiver took it. A crash or a receiver that is down loses nothing:
/// delivery resumes after a restart. Delivery is at least once; every message carries an idempotency key
/// (`idempotency_key` in the body, `Idempotency-Key` header) for receivers to deduplicate on.
///
/// Alertmanager's periodic refresh of the firing alerts is not queued: the next refresh replaces it.
final class AlertNotifier: Sendable {
    let configuration: NotificationConfiguration
    private let logger: Logger
    private let client: HTTPClient
    private let log: any Store
    private let clock: @Sendable () -> Timestamp
    /// Whether this node delivers the outbox (the writer, or the only node).
    private let delivers: @Sendable () -> Bool
    private let state = Mutex(State())

    private struct State {
        var woken = false
        var finished = false
        /// The latest firing set to re-send to Alertmanager.
        var refresh: [Alert]?
    }

    init(
        _ configuration: NotificationConfiguration, log: any Store, logger: Logger, client: HTTPClient = .shared,
        clock: @escaping @Sendable () -> Timestamp, delivers: @escaping @Sendable () -> Bool = { true }
    ) {
        self.delivers = delivers
        self.configuration = configuration
        self.log = log
        self.logger = logger
        self.client = client
        self.clock = clock
    }

    /// The outbox messages that tell the receivers about `t`.
    func messages(for t: AlertTransition) -> [OutboxMessage] {
        let key = "\(t.alert.id):\(t.to.rawValue):\(t.at.milliseconds)"
        var out: [OutboxMessage] = []
        if configuration.webhookURL != nil {
            let payload = WebhookPayload(
                idempotencyKey: key, status: t.to == .firing ? "firing" : "resolved", from: t.from, to: t.to, at: t.at,
                alert: t.alert)
            if let body = try? JSONResponse.encoder.encode(payload) {
                out.append(OutboxMessage(target: "webhook", key: "webhook:" + key, body: body, createdAt: clock()))
            }
        }
        if configuration.alertmanagerURL != nil {
            let postable = [AlertmanagerAlert(t.alert, now: clock(), configuration: configuration)]
            if let body = try? JSONResponse.encoder.encode(postable) {
                out.append(
                    OutboxMessage(target: "alertmanager", key: "alertmanager:" + key, body: body, createdAt: clock()))
            }
        }
        return out
    }

    /// New messages are in the outbox: deliver them now rather than at the next poll.
    func wake() { state.withLock { $0.woken = true } }

    /// The alerts Alertmanager should hold as firing now (re-sent so they do not expire there).
    func refresh(_ alerts: [Alert]) {
        guard configuration.alertmanagerURL != nil, !alerts.isEmpty else { return }
        state.withLock {
            $0.refresh = alerts
            $0.woken = true
        }
    }

    /// Ends ``run()`` after one last pass over what is due; the rest stays queued for the next start.
    func finish() { state.withLock { $0.finished = true } }

    func run() async {
        guard !configuration.isEmpty else { return }
        while true {
            let finished = state.withLock { $0.finished }
            let retryAt = await deliverDue()
            if let alerts = state.withLock({ s in
                defer { s.refresh = nil }; return s.refresh
            }),
                let url = configuration.alertmanagerURL
            {
                _ = await deliver(
                    alertmanager: url, body: alertmanagerBody(alerts), attempts: configuration.retry.maxAttempts)
            }
            if finished { return }
            await sleep(until: retryAt)
        }
    }

    /// Delivers the due messages in order, stopping at the first that fails (so receivers see transitions in
    /// order); returns when to try again, if a message is waiting.
    private func deliverDue() async -> Timestamp? {
        let now = clock()
        // A follower node leaves the outbox to the writer.
        guard delivers() else { return now + .seconds(1) }
        let due: [OutboxMessage]
        do {
            due = try await log.dueMessages(at: now)
        } catch {
            logger.error("could not read the notification outbox", metadata: ["error": "\(error)"])
            return now + .seconds(5)
        }
        for message in due {
            switch await send(message) {
            case .delivered, .refused:
                try? await log.removeMessage(message.id)
            case .failed(let problem):
                if now - configuration.outboxMaxAge >= message.createdAt {
                    logger.error(
                        "\(message.target) notification \(message.key) undelivered for \(configuration.outboxMaxAge): \(problem); dropped"
                    )
                    try? await log.removeMessage(message.id)
                    continue
                }
                let attempts = message.attempts + 1
                let pause = configuration.retry.delay(after: attempts)
                logger.warning(
                    "\(message.target) notification \(message.key) failed (\(problem)); retry \(attempts) in \(pause)")
                try? await log.retryMessage(message.id, attempts: attempts, at: now + pause)
                return now + pause
            }
        }
        return try? await log.nextMessageDue()
    }

    /// Sleeps until `deadline` (at most a second, so new messages from another path are seen), or a wake-up.
    private func sleep(until deadline: Timestamp?) async {
        let limit = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < limit {
            if state.withLock({ s in
                defer { s.woken = false }; return s.woken || s.finished
            }) {
                return
            }
            if let deadline, clock() >= deadline { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private func send(_ message: OutboxMessage) async -> Outcome {
        switch message.target {
        case "webhook":
            guard let url = configuration.webhookURL else { return .refused }
            return await deliver(webhook: url, body: message.body, key: message.key)
        case "alertmanager":
            guard let url = configuration.alertmanagerURL else { return .refused }
            return await deliver(alertmanager: url, body: message.body, attempts: 1)
        default:
            return .refused
        }
    }

    enum Outcome {
        case delivered
        /// The receiver refused it for good (a 4xx other than 429), or it has no receiver any more.
        case refused
        case failed(String)
    }

    // MARK: - Webhook

    /// The webhook body: the transition and the alert with its context.
    struct WebhookPayload: Encodable {
        var version = "1"
        /// The same for every delivery of one transition: receivers deduplicate on it.
        var idempotencyKey: String
        var status: String
        var from: Alert.State?
        var to: Alert.State
        var at: Timestamp
        var alert: Alert

        enum CodingKeys: String, CodingKey {
            case version, idempotencyKey = "idempotency_key", status, from, to, at, alert
        }
    }

    private func deliver(webhook url: String, body: Data, key: String) async -> Outcome {
        let timestamp = String(Int64(Date().timeIntervalSince1970))
        var headers = HTTPHeaders([
            ("Content-Type", "application/json"), ("X-Vigil-Timestamp", timestamp), ("Idempotency-Key", key),
        ])
        if let secret = configuration.webhookSecret {
            headers.add(
                name: "X-Vigil-Signature", value: "sha256=" + Self.signature(body, timestamp: timestamp, secret: secret)
            )
        }
        return await post(url, body: body, headers: headers, what: "webhook \(key)")
    }

    /// Hex HMAC-SHA256 of `TIMESTAMP.BODY`: receivers recompute it to check origin and freshness.
    static func signature(_ body: Data, timestamp: String, secret: String) -> String {
        var message = Data(timestamp.utf8)
        message.append(UInt8(ascii: "."))
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - Alertmanager

    private func alertmanagerBody(_ alerts: [Alert]) -> Data {
        let postable = alerts.map { AlertmanagerAlert($0, now: clock(), configuration: configuration) }
        return (try? JSONResponse.encoder.encode(postable)) ?? Data("[]".utf8)
    }

    /// Posts to Alertmanager, retrying up to `attempts` times in place (a refresh is not queued).
    private func deliver(alertmanager base: String, body: Data, attempts: Int) async -> Outcome {
        let url = base.hasSuffix("/") ? base + "api/v2/alerts" : base + "/api/v2/alerts"
        var outcome = Outcome.failed("not sent")
        for attempt in 1...max(1, attempts) {
            outcome = await post(
                url, body: body, headers: HTTPHeaders([("Content-Type", "application/json")]),
                what: "Alertmanager update")
            guard case .failed = outcome, attempt < attempts else { return outcome }
            try? await Task.sleep(for: configuration.retry.delay(after: attempt))
        }
        return outcome
    }

    // MARK: - Sending

    /// One POST: delivered on 2xx, refused for good on a 4xx other than 429, failed (worth retrying) otherwise.
    private func post(_ url: String, body: Data, headers: HTTPHeaders, what: String) async -> Outcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers = headers
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(
                request, timeout: .milliseconds(configuration.retry.timeout.milliseconds))
            _ = try? await response.body.collect(upTo: 1 << 20)
            let code = response.status.code
            if (200..<300).contains(code) { return .delivered }
            if (400..<500).contains(code), code != 429 {
                logger.error("\(what) to \(url) refused: HTTP \(code); not retrying")
                return .refused
            }
            return .failed("HTTP \(code)")
        } catch {
            return .failed("\(error)")
        }
    }
}
