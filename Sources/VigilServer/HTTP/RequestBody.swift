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
}
