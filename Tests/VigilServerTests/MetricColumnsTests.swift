import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VigilServer

/// `format=columnar` gives a series as one array per metric and field: the same values and counts as the
/// full answer's one object per step, equal steps implied by `from` and `step`, in far fewer bytes.
@Suite struct MetricColumnsTests {
    @Test func columnsHoldTheFullSeriesValues() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            try await client.ingestTaxi()
            let range = "names=accuracy,label_lag_p50,precision&from=2020-02-01T00:00:00Z&to=2020-02-08T12:00:00Z&step=1d"
            let (status, full) = try await client.send(.get, "/v1/models/taxi-tip/metrics?\(range)")
            #expect(status == .ok)
            let series = try #require(full["series"] as? [[String: Any]])
            let (ok, answer) = try await client.send(
                .get, "/v1/models/taxi-tip/metrics?\(range)&format=columnar&fields=value,n,lower,upper,reason")
            #expect(ok == .ok && answer["format"] as? String == "columnar" && answer["series"] == nil)
            let columns = try #require(answer["columns"] as? [String: Any])
            #expect(columns["count"] as? Int == 8 && columns["step"] as? String == "1d")
            #expect(columns["from"] as? String == "2020-02-01T00:00:00Z" && columns["to"] as? String == "2020-02-08T12:00:00Z")
            #expect(series.last?["to"] as? String == "2020-02-08T12:00:00Z")
            let metrics = try #require(columns["metrics"] as? [String: [String: Any]])
            #expect(metrics["label_lag_p50"]?["unit"] as? String == "seconds")
            for name in ["accuracy", "label_lag_p50", "precision"] {
                let column = try #require(metrics[name])
                for field in ["value", "n", "lower", "upper", "reason"] {
                    let cells = try #require(column[field] as? [Any], "\(name).\(field)")
                    #expect(cells.count == series.count)
                    for (i, slice) in series.enumerated() {
                        let expected = ((slice["metrics"] as? [String: Any])?[name] as? [String: Any])?[field]
                        #expect(
                            "\(expected ?? NSNull())" == "\(cells[i])", "\(name).\(field) at \(slice["from"] ?? "")")
                    }
                }
            }
            let bytes = { (q: String) async throws -> Int in
                try await client.execute(uri: "/v1/models/taxi-tip/metrics?\(q)", method: .get, headers: [:], body: nil)
                    .body.readableBytes
            }
            let hourly = "names=accuracy&from=2020-02-01T00:00:00Z&to=2020-03-01T00:00:00Z&step=1h"
            let (fullBytes, columnBytes) = (try await bytes(hourly), try await bytes(hourly + "&format=columnar"))
            #expect(columnBytes * 8 < fullBytes, "\(columnBytes) bytes as columns, \(fullBytes) in full")
        }
    }

    @Test func badFormatsAndFieldsAreNamed() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            // The parameters are checked before the model is looked up.
            for (query, text) in [
                ("window=7d&format=columnar", "give 'step'"),
                ("window=7d&step=1d&format=csv", "not one of full, columnar"),
                ("window=7d&step=1d&format=columnar&fields=value,median", "'median' is not one of"),
                ("window=7d&step=1d&fields=value", "needs format=columnar"),
            ] {
                let (status, body) = try await client.send(.get, "/v1/models/taxi-tip/metrics?\(query)")
                let message = (body["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(status == .badRequest && message.contains(text), "\(query): \(message)")
            }
        }
    }
}
