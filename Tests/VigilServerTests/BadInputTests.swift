import CompressNIO
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VigilServer

/// Every kind of bad input gets a 4xx naming the row and field; good rows of the same batch are kept.
@Suite struct BadInputTests {
    static let good = #"{"id":"g1","ts":"2024-01-01T00:00:00Z","model":"m","score":0.9,"prediction":1}"#

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var row: String
        var code: String
        var field: String
        var description: String { name }
    }

    static let rowCases: [Case] = [
        Case(name: "malformed line", row: #"{"id":"x","ts":"#, code: "malformed_json", field: ""),
        Case(name: "not an object", row: "[1,2]", code: "invalid_type", field: ""),
        Case(
            name: "score of wrong type", row: #"{"id":"x","ts":"2024-01-01T00:00:00Z","model":"m","score":"high"}"#,
            code: "invalid_type", field: "score"),
        Case(
            name: "missing id", row: #"{"ts":"2024-01-01T00:00:00Z","model":"m","score":0.5}"#, code: "missing_field",
            field: "id"),
        Case(name: "missing ts", row: #"{"id":"x","model":"m","score":0.5}"#, code: "missing_field", field: "ts"),
        Case(
            name: "bad ts", row: #"{"id":"x","ts":"yesterday","model":"m","score":0.5}"#, code: "invalid_value",
            field: "ts"),
        Case(
            name: "NaN literal", row: #"{"id":"x","ts":"2024-01-01T00:00:00Z","model":"m","score":NaN}"#,
            code: "malformed_json", field: ""),
        Case(
            name: "infinite number", row: #"{"id":"x","ts":"2024-01-01T00:00:00Z","model":"m","score":1e999}"#,
            code: "invalid_value", field: "score"),
        Case(
            name: "score out of range", row: #"{"id":"x","ts":"2024-01-01T00:00:00Z","model":"m","score":1.5}"#,
            code: "invalid_value", field: "score"),
        Case(
            name: "unknown field", row: #"{"id":"x","ts":"2024-01-01T00:00:00Z","model":"m","scroe":0.5}"#,
            code: "unknown_field", field: "scroe"),
        Case(
            name: "feature of wrong type",
            row: #"{"id":"x","ts":"2024-01-01T00:00:00Z","model":"m","score":0.5,"features":{"f":[1]}}"#,
            code: "invalid_type", field: "features.f"),
        Case(
            name: "far future", row: #"{"id":"x","ts":"2999-01-01T00:00:00Z","model":"m","score":0.5}"#,
            code: "future_timestamp", field: "ts"),
        Case(
            name: "conflicting resend",
            row: #"{"id":"g1","ts":"2024-01-01T00:00:00Z","model":"m","score":0.1,"prediction":0}"#, code: "conflict",
            field: "id"),
        Case(
            name: "multiclass score for a binary model",
            row: #"{"id":"x","ts":"2024-01-01T00:00:00Z","model":"m","score":{"a":0.5,"b":0.5}}"#,
            code: "task_mismatch", field: "score"),
    ]

    @Test(arguments: rowCases)
    func badRowIsRejectedAndGoodRowsKept(_ c: Case) async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let second = #"{"id":"g2","ts":"2024-01-01T00:01:00Z","model":"m","score":0.2,"prediction":0}"#
            let (status, body) = try await client.send(
                .post, "/v1/predictions", [Self.good, c.row, second].joined(separator: "\n"))
            #expect(status == .unprocessableContent, "\(body)")
            #expect(body["accepted"] as? Int == 2)
            let details = (body["error"] as? [String: Any])?["details"] as? [[String: Any]]
            #expect(details?.count == 1)
            #expect(details?.first?["index"] as? Int == 1)
            #expect(details?.first?["code"] as? String == c.code, "\(body)")
            #expect(details?.first?["field"] as? String == c.field, "\(body)")
            let (_, models) = try await client.send(.get, "/v1/models")
            #expect((models["models"] as? [[String: Any]])?.first?["predictions"] as? Int == 2)
        }
    }

    @Test func requestLevelErrors() async throws {
        var harness = try ServerHarness()
        defer { harness.remove() }
        harness.configuration.maxBodyBytes = 4096
        try await harness.run { client in
            // A JSON array with a syntax error cannot be split into rows: nothing is accepted.
            let (array, arrayBody) = try await client.send(.post, "/v1/predictions", "[\(Self.good), {\"id\": ]")
            #expect(array == .badRequest)
            #expect((arrayBody["error"] as? [String: Any])?["code"] as? String == "malformed_json")
            let (empty, _) = try await client.send(.post, "/v1/predictions", "  \n")
            #expect(empty == .badRequest)
            let (badGzip, _) = try await client.send(
                .post, "/v1/predictions", Self.good, headers: [.contentEncoding: "gzip"])
            #expect(badGzip == .badRequest)
            let (brotli, _) = try await client.send(
                .post, "/v1/predictions", Self.good, headers: [.contentEncoding: "br"])
            #expect(brotli == .unsupportedMediaType)
            // A gzip bomb is cut off at the limit.
            var zeros = ByteBuffer(repeating: UInt8(ascii: " "), count: 1_000_000)
            let bomb = try zeros.compress(with: .gzip())
            let (bombStatus, _) = try await client.send(
                .post, "/v1/predictions", body: bomb, headers: [.contentEncoding: "gzip"])
            #expect(bombStatus == .contentTooLarge)
            // Nothing above was ingested.
            let (_, models) = try await client.send(.get, "/v1/models")
            #expect((models["models"] as? [Any])?.isEmpty == true)

            var plain = ByteBuffer(string: "[\(Self.good)]")
            let gz = try plain.compress(with: .gzip())
            let (gzipped, _) = try await client.send(
                .post, "/v1/predictions", body: gz, headers: [.contentEncoding: "gzip"])
            #expect(gzipped == .ok)
            let (feedbackMissingLabel, fb) = try await client.send(
                .post, "/v1/feedback", #"{"id":"g1","ts":"2024-01-02T00:00:00Z"}"#)
            #expect(feedbackMissingLabel == .unprocessableContent)
            #expect(
                ((fb["error"] as? [String: Any])?["details"] as? [[String: Any]])?.first?["field"] as? String == "label"
            )
            // Last: a declared length over the limit is refused before the body is read, and the connection
            // closes (the client may still be sending it).
            let big = Array(repeating: Self.good, count: 100).joined(separator: "\n")
            let (tooBig, bigBody) = try await client.send(.post, "/v1/predictions", big)
            #expect(tooBig == .contentTooLarge)
            #expect((bigBody["error"] as? [String: Any])?["code"] as? String == "body_too_large")
        }
    }

    @Test func badQueries() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            _ = try await client.send(.post, "/v1/predictions", Self.good)
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("/v1/models/nope/metrics", .notFound, "unknown_model"),
                ("/v1/models/m/metrics?window=7x", .badRequest, "invalid_window"),
                ("/v1/models/m/metrics?window=1d&from=2024-01-01T00:00:00Z", .badRequest, "invalid_window"),
                (
                    "/v1/models/m/metrics?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z", .badRequest,
                    "invalid_window"
                ),
                ("/v1/models/m/metrics?step=1h", .badRequest, "invalid_window"),
                ("/v1/models/m/metrics?names=accuracy,bogus", .badRequest, "unknown_metric"),
                ("/v1/models/m/metrics?version=v9", .notFound, "unknown_version"),
                ("/v1/models/m/metrics?segment=novalue", .badRequest, "invalid_segment"),
                ("/v1/models/m/metrics?asOf=yesterday", .badRequest, "invalid_time"),
                ("/v1/models/m/metrics?windw=1d", .badRequest, "unknown_parameter"),
                ("/v1/nothing", .notFound, "not_found"),
            ]
            for (uri, status, code) in cases {
                let (s, body) = try await client.send(.get, uri)
                #expect(s == status, "\(uri): \(body)")
                #expect((body["error"] as? [String: Any])?["code"] as? String == code, "\(uri): \(body)")
            }
            let (series, body) = try await client.send(
                .get, "/v1/models/m/metrics?from=2024-01-01T00:00:00Z&to=2024-01-01T03:00:00Z&step=1h&names=accuracy")
            #expect(series == .ok)
            #expect((body["series"] as? [Any])?.count == 3)
        }
    }

    /// Random bytes and truncated bodies never crash the server or get a 5xx; it keeps answering correctly.
    @Test func fuzzedBodies() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            var rng = SystemRandomNumberGenerator()
            let valid = (0..<20).map {
                #"{"id":"f\#($0)","ts":"2024-01-01T00:00:00Z","model":"m","version":"v1","segment":{"k":"é\u00e9"},"features":{"a":1.5e2,"b":"x","c":null},"score":0.\#($0 % 10),"prediction":\#($0 % 2)}"#
            }.joined(separator: "\n")
            let bytes = Array(valid.utf8)
            var accepted = Set<String>()
            for round in 0..<300 {
                var body: [UInt8]
                switch round % 3 {
                case 0:
                    body = (0..<Int.random(in: 0..<400, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng)
                    }
                case 1: body = Array(bytes[..<Int.random(in: 0..<bytes.count, using: &rng)])
                default:
                    body = bytes
                    for _ in 0..<4 {
                        body[Int.random(in: 0..<body.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                    }
                }
                let (status, response) = try await client.send(.post, "/v1/predictions", body: ByteBuffer(bytes: body))
                #expect(status.code < 500, "round \(round): \(status) \(response)")
                if status == .ok || status == .unprocessableContent {
                    #expect(response["accepted"] != nil)
                }
                _ = accepted
            }
            let (ok, _) = try await client.send(.post, "/v1/predictions", valid)
            #expect(ok.code < 500)
            let (health, _) = try await client.send(.get, "/v1/models/m/metrics?names=accuracy")
            #expect(health == .ok)
            accepted.insert("done")
        }
    }
}
