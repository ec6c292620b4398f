import CompressNIO
import HTTPTypes
import Hummingbird
import NIOCore

/// Reads a request body whole — bounded in size and in time — and gunzipped when sent with
/// `Content-Encoding: gzip`.
enum RequestBody {
    /// The body, refused at once when its declared length is over `limit`, and with 408 when it has not all
    /// arrived within `timeout` (a client that sends less than its Content-Length, or trickles, would
    /// otherwise hold a connection and a task forever).
    static func collect(_ request: Request, limit: Int, timeout: Duration) async throws(APIError) -> ByteBuffer {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            var e = APIError(
                .contentTooLarge, "body_too_large",
                "the declared body of \(declared) bytes exceeds the limit of \(limit) bytes; send smaller batches")
            e.headers[.connection] = "close"
            throw e
        }
        var buffer = try await read(request, limit: limit, timeout: timeout)
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity": return buffer
        case "gzip", "x-gzip":
            do {
                let compressed = buffer
                try GzipFraming.checkHeader(compressed)
                let output = try buffer.decompress(with: .gzip(), maxSize: limit)
                try GzipFraming.checkTrailer(compressed, output: output)
                return output
            } catch GzipFraming.Problem.header {
                throw APIError(
                    .badRequest, "malformed_gzip", "the body is not gzip: it does not start with a gzip header")
            } catch GzipFraming.Problem.trailer {
                throw APIError(
                    .badRequest, "malformed_gzip",
                    "the gzip body is truncated or corrupt: its CRC-32/length trailer does not match the data (send one complete gzip member)"
                )
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw APIError(
                    .contentTooLarge, "body_too_large", "decompressed body exceeds the limit of \(limit) bytes")
            } catch {
                throw APIError(.badRequest, "malformed_gzip", "the body is not valid gzip: \(error)")
            }
        case let other?:
            throw APIError(
                .unsupportedMediaType, "unsupported_encoding", "Content-Encoding '\(other)' is not supported; use gzip")
        }
    }

    private enum Outcome: Sendable {
        case body(ByteBuffer)
        case tooLarge
        case timedOut
    }

    private static func read(_ request: Request, limit: Int, timeout: Duration) async throws(APIError) -> ByteBuffer {
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do {
                    return .body(try await request.body.collect(upTo: limit))
                } catch {
                    // Over the limit, or the read was cancelled by the timeout (which the other task reports).
                    return Task.isCancelled ? .timedOut : .tooLarge
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .timedOut
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        switch outcome {
        case .body(let buffer): return buffer
        case .tooLarge:
            throw APIError(
                .contentTooLarge, "body_too_large",
                "request body exceeds the limit of \(limit) bytes; send smaller batches")
        case .timedOut:
            var e = APIError(
                .requestTimeout, "request_timeout",
                "the request body did not arrive within \(timeout); send the whole body at once (and no more than its Content-Length says)"
            )
            e.headers[.connection] = "close"
            throw e
        }
    }
}
