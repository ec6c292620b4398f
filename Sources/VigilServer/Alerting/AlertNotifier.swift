import AsyncHTTPClient
import Crypto
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import VigilCore

/// Delivers alert notifications to a webhook and to Alertmanager, in order, retrying with backoff.
///
/// The alert loop only enqueues (it never waits on a receiver); ``run()`` drains the queue until it is
/// finished, so a shutdown delivers what was already decided.
final class AlertNotifier: Sendable {
    enum Delivery: Sendable {
        /// A transition a person should hear about (firing, or resolved after firing).
        case transition(AlertTransition)
        /// The alerts Alertmanager should hold as firing now (re-sent so they do not expire there).
        case refresh([Alert])
    }

    let configuration: NotificationConfiguration
    private let logger: Logger
    private let stream: AsyncStream<Delivery>
    private let continuation: AsyncStream<Delivery>.Continuation
    private let client: HTTPClient

    init(_ configuration: NotificationConfiguration, logger: Logger, client: HTTPClient = .shared) {
        self.configuration = configuration
        self.logger = logger
        self.client = client
        (stream, continuation) = AsyncStream.makeStream(of: Delivery.self)
    }

    func enqueue(_ d: Delivery) {
        guard !configuration.isEmpty else { return }
        continuation.yield(d)
    }

    /// Ends the queue: ``run()`` returns once what is queued is delivered (or given up on).
    func finish() { continuation.finish() }

    func run() async {
        for await delivery in stream {
            switch delivery {
            case .transition(let t):
                if let url = configuration.webhookURL { await deliver(webhook: url, t) }
                if let url = configuration.alertmanagerURL { await deliver(alertmanager: url, [t.alert]) }
            case .refresh(let alerts):
                if let url = configuration.alertmanagerURL, !alerts.isEmpty { await deliver(alertmanager: url, alerts) }
            }
        }
    }

    // MARK: - Webhook

    /// The webhook body: the transition and the alert with its context.
    struct WebhookPayload: Encodable {
        var version = "1"
        var status: String
        var from: Alert.State?
        var to: Alert.State
        var at: Timestamp
        var alert: Alert
    }

    private func deliver(webhook url: String, _ t: AlertTransition) async {
        let payload = WebhookPayload(
            status: t.to == .firing ? "firing" : "resolved", from: t.from, to: t.to, at: t.at, alert: t.alert)
        guard let body = try? JSONResponse.encoder.encode(payload) else { return }
        let timestamp = String(Int64(Date().timeIntervalSince1970))
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("X-Vigil-Timestamp", timestamp)])
        if let secret = configuration.webhookSecret {
            headers.add(
                name: "X-Vigil-Signature", value: "sha256=" + Self.signature(body, timestamp: timestamp, secret: secret)
            )
        }
        await send(url, body: body, headers: headers, what: "webhook for alert \(t.alert.id)")
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

    private func deliver(alertmanager base: String, _ alerts: [Alert]) async {
        let now = Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        let postable = alerts.map { AlertmanagerAlert($0, now: now, configuration: configuration) }
        guard let body = try? JSONResponse.encoder.encode(postable) else { return }
        let url = base.hasSuffix("/") ? base + "api/v2/alerts" : base + "/api/v2/alerts"
        await send(
            url, body: body, headers: HTTPHeaders([("Content-Type", "application/json")]),
            what: "Alertmanager update of \(alerts.count) alert(s)")
    }

    // MARK: - Sending

    private func send(_ url: String, body: Data, headers: HTTPHeaders, what: String) async {
        let policy = configuration.retry
        for attempt in 1...max(1, policy.maxAttempts) {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers = headers
            request.body = .bytes(ByteBuffer(bytes: body))
            var problem: String
            do {
                let response = try await client.execute(request, timeout: .milliseconds(policy.timeout.milliseconds))
                _ = try? await response.body.collect(upTo: 1 << 20)
                if (200..<300).contains(response.status.code) { return }
                problem = "HTTP \(response.status.code)"
                // A 4xx other than 429 will not change on retry: the request itself is wrong.
                if (400..<500).contains(response.status.code), response.status.code != 429 {
                    logger.error("\(what) to \(url) refused: \(problem); not retrying")
                    return
                }
            } catch {
                problem = "\(error)"
            }
            guard attempt < policy.maxAttempts else {
                logger.error("\(what) to \(url) failed after \(attempt) attempts: \(problem); dropped")
                return
            }
            let pause = policy.delay(after: attempt)
            logger.warning("\(what) to \(url) failed (\(problem)); retry \(attempt) in \(pause)")
            try? await Task.sleep(for: pause)
        }
    }
}
