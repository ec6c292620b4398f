import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import VigilServer

/// Every successful response says how long the server spent on it (`Server-Timing: app;dur=MS`).
@Suite struct ServerTimingTests {
    @Test func valueIsMillisecondsWithMicrosecondResolution() {
        #expect(
            ServerTimingMiddleware<BasicRequestContext>.value(.milliseconds(12) + .microseconds(345))
                == "app;dur=12.345")
        #expect(ServerTimingMiddleware<BasicRequestContext>.value(.seconds(2)) == "app;dur=2000.000")
        #expect(ServerTimingMiddleware<BasicRequestContext>.value(Duration.zero) == "app;dur=0.000")
    }

    @Test func responsesCarryTheHeader() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let row = #"{"id":"a1","ts":"2024-01-01T00:00:00Z","model":"m","score":0.9,"prediction":1}"#
            for (method, uri, body) in [
                (HTTPRequest.Method.get, "/healthz", nil), (.post, "/v1/predictions", row),
                (.get, "/v1/models/m/metrics", nil),
            ] {
                let response = try await client.execute(
                    uri: uri, method: method, headers: [:], body: body.map { ByteBuffer(string: $0) })
                #expect(response.status == .ok, "\(uri)")
                let value = try #require(response.headers[.serverTiming], "\(uri) has no Server-Timing")
                #expect(value.hasPrefix("app;dur="), "\(value)")
                let milliseconds = try #require(Double(value.dropFirst("app;dur=".count)), "\(value)")
                #expect(milliseconds >= 0 && milliseconds < 60_000, "\(value)")
            }
        }
    }
}
