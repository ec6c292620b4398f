import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A local webhook endpoint on a loopback port: answers 500 to the first `failures` requests, then 200,
/// and records every request.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var status: Int
        var timestamp: String?
        var signature: String?
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    private let state: Mutex<(failuresLeft: Int, received: [Received])>

    init(failures: Int) { state = Mutex((failures, [])) }

    var received: [Received] { state.withLock { $0.received } }
    var delivered: [Received] { received.filter { $0.status == 200 } }

    /// Runs the receiver while `body` runs, passing it the receiver's URL.
    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let status = self.state.withLock { s -> Int in
                let code = s.failuresLeft > 0 ? 500 : 200
                s.failuresLeft -= 1
                s.received.append(
                    Received(
                        status: code, timestamp: request.headers[HTTPField.Name("X-Vigil-Timestamp")!],
                        signature: request.headers[HTTPField.Name("X-Vigil-Signature")!],
                        body: Data(bytes.readableBytesView)))
                return code
            }
            return Response(status: .init(code: status))
        }
        let port = Mutex<Int?>(nil)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } })
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var bound: Int?
            for _ in 0..<500 where bound == nil {
                bound = port.withLock { $0 }
                if bound == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            let result = try await body("http://127.0.0.1:\(bound ?? 0)/hook")
            group.cancelAll()
            return result
        }
    }
}
