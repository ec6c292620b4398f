import Foundation
import HTTPTypes
import Hummingbird

/// An error as the API reports it: `{"error": {"code", "message", "details"}}` with a 4xx/5xx status.
///
/// Every failure a client can cause is mapped to one of these at the server edge; nothing reaches the
/// client as a stack trace or an empty 500.
public struct APIError: Error, Sendable, HTTPResponseError {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var details: [RowRejection]
    /// Extra top-level members of the body (a partly accepted batch reports its counts next to the error).
    var extra: IngestSummary?
    var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, details: [RowRejection] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    struct Body: Encodable {
        struct Inner: Encodable {
            var code: String
            var message: String
            var details: [RowRejection]
        }
        var error: Inner
        var summary: IngestSummary?

        func encode(to encoder: any Encoder) throws {
            // The counts of a partly accepted batch sit beside `error`, in the shape of a success body.
            try summary?.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(error, forKey: .error)
        }
        enum Keys: String, CodingKey { case error }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        makeResponse()
    }

    func makeResponse() -> Response {
        var response = JSONResponse.make(
            Body(error: .init(code: code, message: message, details: details), summary: extra), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    // MARK: - Common errors

    static func badRequest(_ code: String, _ message: String) -> APIError { APIError(.badRequest, code, message) }

    static func unavailable(_ message: String) -> APIError {
        var e = APIError(.serviceUnavailable, "unavailable", message)
        e.headers[.retryAfter] = "1"
        return e
    }
}

/// JSON bodies for responses.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }()

    /// A response of JSON already written (``JSONWriter``, or an encoder's output).
    static func make(json: some Sequence<UInt8>, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        do {
            return make(json: try encoder.encode(value), status: status)
        } catch {
            return make(
                json: #"{"error":{"code":"internal","message":"response could not be encoded","details":[]}}"#.utf8,
                status: .internalServerError)
        }
    }
}
