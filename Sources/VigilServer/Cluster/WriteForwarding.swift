import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import VigilCore

/// On a follower node, every write (`POST`, `PUT`, `PATCH`, `DELETE` under `/v1/` and the dashboard's forms)
/// is forwarded to the writer and its answer returned as is, so a client may send anything to any node.
/// Reads are answered here, from this node's engine (its log position is in `GET /v1/cluster`).
struct WriteForwarding: RouterMiddleware {
    typealias Context = BasicRequestContext

    let cluster: ClusterState
    let maxBodyBytes: Int
    let timeout: Duration
    var client: HTTPClient = Self.forwarder

    /// The client forwarding writes: a writer that just died must fail the request at once (the sender retries
    /// on another node), not be dialled again until the timeout, as the shared client's pool would.
    static let forwarder: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// How long a write waits for a writer while none is known (a node just started or promoting, a lease
    /// changing hands) before it is answered 503.
    static let writerWait: Duration = .seconds(2)

    /// This node's state once it writes or knows the writer, or after ``writerWait``.
    private func writerKnown() async -> ClusterState.Snapshot {
        let deadline = ContinuousClock.now + Self.writerWait
        var state = cluster.current
        while state.role == .follower, state.writerURL == nil, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
            state = cluster.current
        }
        return state
    }

    /// Says which node answered a forwarded write.
    static var forwardedHeader: HTTPField.Name { HTTPField.Name("Vigil-Forwarded-To")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.method != .get, request.method != .head else { return try await next(request, context) }
        let state = await writerKnown()
        guard state.role == .follower else { return try await next(request, context) }
        guard let writer = state.writerURL else {
            throw APIError.unavailable(
                "no node holds the writer lease right now (one takes it within the lease time); retry")
        }
        var forwarded = HTTPClientRequest(url: writer + request.uri.description)
        forwarded.method = .init(rawValue: request.method.rawValue)
        for field in request.headers where field.name != .contentLength {
            forwarded.headers.add(name: field.name.rawName, value: field.value)
        }
        let body = try await request.body.collect(upTo: maxBodyBytes)
        forwarded.body = .bytes(body)
        let response: HTTPClientResponse
        do {
            response = try await client.execute(
                forwarded, timeout: .milliseconds(timeout.milliseconds))
        } catch {
            throw APIError.unavailable("the writer (\(writer)) did not answer: \(error); retry")
        }
        var headers = HTTPFields()
        for (name, value) in response.headers {
            guard let field = HTTPField.Name(name), field != .contentLength, field != .transferEncoding,
                field != .connection
            else { continue }
            headers.append(HTTPField(name: field, value: value))
        }
        headers[Self.forwardedHeader] = writer
        let answer = try await response.body.collect(upTo: 64 << 20)
        return Response(
            status: HTTPResponse.Status(code: Int(response.status.code)), headers: headers,
            body: ResponseBody(byteBuffer: answer))
    }
}
