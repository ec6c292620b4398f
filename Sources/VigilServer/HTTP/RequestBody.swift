import CompressNIO
import HTTPTypes
import Hummingbird
import NIOCore

/// Reads a request body whole, bounded, and gunzipped when sent with `Content-Encoding: gzip`.
enum RequestBody {
    static func collect(_ request: Request, limit: Int) async throws(APIError) -> ByteBuffer {
        var buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw APIError(
                .contentTooLarge, "body_too_large",
                "request body exceeds the limit of \(limit) bytes; send smaller batches")
        }
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity": return buffer
        case "gzip", "x-gzip":
            do {
                return try buffer.decompress(with: .gzip(), maxSize: limit)
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
}
