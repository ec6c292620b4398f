import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small HTTP client for the commands that read a running server (`vigil slo report`, `slo backtest`).
struct ServerClient {
    var baseURL: String
    var token: String?

    struct Failure: Error, CustomStringConvertible {
        var description: String
        /// The HTTP status, when the server answered.
        var status: UInt?
    }

    /// A model, version or gate name as one percent-encoded path segment.
    static func pathSegment(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
            ?? segment
    }

    /// GETs `path` and returns the body, or throws the server's error message.
    func get(_ path: String, query: [(String, String)] = []) async throws -> Data {
        try await send("GET", path, query: query)
    }

    /// Sends a request (a JSON `body` for PUT and POST) and returns the answer's body, or throws the server's
    /// error message.
    func send(
        _ method: String, _ path: String, query: [(String, String)] = [], body: Data? = nil,
        contentType: String = "application/json"
    ) async throws -> Data {
        var components = URLComponents(
            string: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) + path : baseURL + path)
        if !query.isEmpty { components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components?.url?.absoluteString else {
            throw Failure(description: "invalid server URL '\(baseURL)'", status: nil)
        }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "Content-Type", value: contentType)
        }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .minutes(5))
        } catch {
            throw Failure(description: "cannot reach the Vigil server at \(baseURL): \(error)", status: nil)
        }
        var buffer = try await response.body.collect(upTo: 256 << 20)
        let body = Data(buffer.readBytes(length: buffer.readableBytes) ?? [])
        guard response.status.code < 300 else {
            let message =
                ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]).flatMap {
                    ($0["error"] as? [String: Any])?["message"] as? String
                } ?? String(decoding: body, as: UTF8.self)
            throw Failure(description: "\(path): HTTP \(response.status.code): \(message)", status: response.status.code)
        }
        return body
    }
}
