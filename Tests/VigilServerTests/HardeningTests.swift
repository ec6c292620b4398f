import CompressNIO
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import VigilCore
import VigilServer
import VigilStore

/// Regression tests for the defects found by attacking the server: names in paths, truncated gzip, limits,
/// probes without tokens, HEAD, and two servers on one data directory.
@Suite struct HardeningTests {
    static func row(_ id: String, model: String = "m", extra: String = "") -> String {
        #"{"id":"\#(id)","ts":"2024-01-01T00:00:00Z","model":"\#(model)","score":0.9,"prediction":1\#(extra)}"#
    }

    static func jsonString(_ s: String) -> String {
        String(data: try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed]), encoding: .utf8)!
            .dropFirst().dropLast().description
    }

    @Test(arguments: ["a b", "a/b", "模型", "<x>", "100%"])
    func modelNamesArePercentDecodedInPaths(name: String) async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let line =
                #"{"id":"p1","ts":"2024-01-01T00:00:00Z","model":\#(Self.jsonString(name)),"score":0.9,"prediction":1}"#
            let (status, _) = try await client.send(.post, "/v1/predictions", line)
            #expect(status == .ok)
            let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let (metrics, body) = try await client.send(.get, "/v1/models/\(encoded)/metrics?names=count")
            #expect(metrics == .ok, "\(body)")
            #expect(body["model"] as? String == name)
            let reference = "trip_distance\n1.0\n2.0\n"
            let (put, _) = try await client.send(
                .put, "/v1/models/\(encoded)/reference", reference, headers: [.contentType: "text/csv"])
            #expect(put == .created)
            let (get, _) = try await client.send(.get, "/v1/models/\(encoded)/reference")
            #expect(get == .ok)
            let (page, _) = try await client.send(.get, "/models/\(encoded)")
            #expect(page == .ok)
        }
    }

    @Test func badNamesAndLongStringsAreRefusedNamingTheField() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let longId = String(repeating: "x", count: 300)
            let rows = [
                Self.row("ok"),
                Self.row(longId),
                #"{"id":"c","ts":"2024-01-01T00:00:00Z","model":"bad\u0007name","score":0.9}"#,
                #"{"id":"d","ts":"1969-07-20T20:17:00Z","model":"m","score":0.9}"#,
                #"{"id":"e","ts":"0000-01-01T00:00:00Z","model":"m","score":0.9}"#,
            ]
            let (status, body) = try await client.send(.post, "/v1/predictions", rows.joined(separator: "\n"))
            #expect(status == .unprocessableContent)
            #expect(body["accepted"] as? Int == 1)
            let details = (body["error"] as? [String: Any])?["details"] as? [[String: Any]] ?? []
            #expect(
                details.map { $0["code"] as? String } == [
                    "too_long", "invalid_name", "timestamp_before_epoch", "timestamp_before_epoch",
                ])
            #expect(details.map { $0["field"] as? String } == ["id", "model", "ts", "ts"])
            #expect((details.first?["message"] as? String)?.utf8.count ?? .max < 300, "must not echo the id")
            let (_, models) = try await client.send(.get, "/v1/models")
            #expect((models["models"] as? [[String: Any]])?.map { $0["name"] as? String } == ["m"])
        }
    }

    /// The reproduction from the issue, scaled down: 10,000 distinct `user` values in one request.
    @Test func distinctSegmentValuesFoldIntoOther() async throws {
        var harness = try ServerHarness()
        harness.configuration.engine.limits.maxSegmentValuesPerKey = 100
        defer { harness.remove() }
        try await harness.run { client in
            let rows = (1...10_000).map { n in
                #"{"id":"s\#(n)","ts":"2024-01-01T00:00:00Z","model":"card","segment":{"user":"u\#(n)"},"score":0.5,"prediction":1}"#
            }
            let (status, body) = try await client.send(.post, "/v1/predictions", rows.joined(separator: "\n"))
            #expect(status == .ok)
            #expect(body["accepted"] as? Int == 10_000)
            #expect((body["outcomes"] as? [String: Int])?["segment_folded"] == 9_900)
            let (_, other) = try await client.send(
                .get, "/v1/models/card/metrics?names=count&segment=user:__other__")
            let window = other["window"] as? [String: Any]
            #expect(((window?["metrics"] as? [String: Any])?["count"] as? [String: Any])?["value"] as? Double == 9_900)
            let metrics = try await client.text("/metrics")
            #expect(metrics.contains("vigil_segment_values_folded_total 9900"))
        }
    }

    @Test func truncatedOrCorruptGzipAcceptsNothing() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            let rows = (0..<1000).map { Self.row("g\($0)") }.joined(separator: "\n")
            var plain = ByteBuffer(string: rows)
            let whole = try plain.compress(with: .gzip())
            let bytes = Array(whole.readableBytesView)
            let cuts: [(String, [UInt8])] = [
                ("cut in the middle", Array(bytes.prefix(bytes.count * 3 / 10))),
                ("trailer missing", Array(bytes.dropLast(8))),
                ("trailer cut", Array(bytes.dropLast(3))),
                (
                    "CRC flipped",
                    bytes.enumerated().map { $0.offset == bytes.count - 6 ? $0.element ^ 0xFF : $0.element }
                ),
                ("broken header", [0x1F, 0x8C] + bytes.dropFirst(2)),
            ]
            for (name, body) in cuts {
                let (status, answer) = try await client.send(
                    .post, "/v1/predictions", body: ByteBuffer(bytes: body), headers: [.contentEncoding: "gzip"])
                #expect(status == .badRequest, "\(name)")
                #expect((answer["error"] as? [String: Any])?["code"] as? String == "malformed_gzip", "\(name)")
            }
            let (_, models) = try await client.send(.get, "/v1/models")
            #expect((models["models"] as? [Any])?.isEmpty == true)
            let (ok, summary) = try await client.send(
                .post, "/v1/predictions", body: whole, headers: [.contentEncoding: "gzip"])
            #expect(ok == .ok)
            #expect(summary["accepted"] as? Int == 1000)
        }
    }

    @Test func probesNeedNoTokenAndHeadAnswersEveryGet() async throws {
        let harness = try ServerHarness(tokens: "\(ServerHarness.readToken),\(ServerHarness.writeToken)")
        defer { harness.remove() }
        try await harness.run { client in
            for probe in ["/healthz", "/readyz"] {
                let get = try await client.execute(uri: probe, method: .get, headers: [:], body: nil)
                #expect(get.status == .ok, "\(probe)")
                let head = try await client.execute(uri: probe, method: .head, headers: [:], body: nil)
                #expect(head.status == .ok, "HEAD \(probe)")
                #expect(head.body.readableBytes == 0)
            }
            let models = try await client.execute(uri: "/v1/models", method: .head, headers: [:], body: nil)
            #expect(models.status == .unauthorized)
            let authorized = try await client.execute(
                uri: "/v1/models", method: .head, headers: ServerHarness.readHeaders, body: nil)
            #expect(authorized.status == .ok)
            #expect(authorized.body.readableBytes == 0)
        }
    }

    /// Another process holds the directory (a real `vigil serve`): this one refuses at once, naming its pid.
    @Test func aSecondServerOnTheSameDirectoryRefusesToStart() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try FileManager.default.createDirectory(atPath: harness.directory, withIntermediateDirectories: true)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        let lock = (harness.directory as NSString).appendingPathComponent("LOCK")
        holder.arguments = [lock, "sh", "-c", "echo pid $$ > \(lock); sleep 30"]
        try holder.run()
        defer { holder.terminate() }
        for _ in 0..<200 where (try? String(contentsOfFile: lock, encoding: .utf8))?.hasPrefix("pid") != true {
            usleep(10_000)
        }
        let started = ContinuousClock.now
        do {
            _ = try await VigilServer(harness.configuration)
            Issue.record("a second server started on a locked directory")
        } catch let error as DataDirectoryLock.Busy {
            // The holder wrote its shell's pid (a child of `flock`), not ours.
            #expect(error.description.contains("in use by another Vigil server (pid "))
            #expect(!error.description.contains("pid \(getpid()))"))
        }
        #expect(ContinuousClock.now - started < .seconds(2), "another process's lock is refused at once")
    }
}

extension HardeningTests {
    /// A model can be removed: it leaves /v1/models, its name is free for a new model of another task, and the
    /// removal survives a restart (it is in the log).
    @Test func aModelCanBeRemovedAndItsNameReused() async throws {
        let harness = try ServerHarness()
        defer { harness.remove() }
        try await harness.run { client in
            #expect(try await client.send(.post, "/v1/predictions", Self.row("a", model: "old")).0 == .ok)
            #expect(try await client.send(.post, "/v1/predictions", Self.row("k", model: "kept")).0 == .ok)
            let reference = "x\n1.0\n2.0\n"
            _ = try await client.send(.put, "/v1/models/old/reference", reference, headers: [.contentType: "text/csv"])
            #expect(try await client.send(.delete, "/v1/models/old").0 == .noContent)
            #expect(try await client.send(.delete, "/v1/models/old").0 == .notFound)
            #expect(try await client.send(.get, "/v1/models/old/metrics").0 == .notFound)
            #expect(try await client.send(.get, "/v1/models/old/reference").0 == .notFound)
            // A regression model under the same name now.
            let regression = #"{"id":"r1","ts":"2024-01-01T00:00:00Z","model":"old","prediction":12.5}"#
            #expect(try await client.send(.post, "/v1/predictions", regression).0 == .ok)
        }
        try await harness.run { client in
            let (_, models) = try await client.send(.get, "/v1/models")
            let byName = Dictionary(
                uniqueKeysWithValues: (models["models"] as? [[String: Any]] ?? []).map { ($0["name"] as! String, $0) })
            #expect(Set(byName.keys) == ["old", "kept"])
            #expect(byName["old"]?["task"] as? String == "regression")
            #expect(byName["old"]?["predictions"] as? Int == 1)
        }
    }
}

extension HardeningTests {
    /// A start whose replay took longer than `recoverySnapshotAfter` saves a snapshot before it answers
    /// `/readyz`, so a crash right after it does not replay the same tail again (defect 5, under a crash loop).
    @Test func aLongReplayIsSavedBeforeServing() async throws {
        var harness = try ServerHarness()
        defer { harness.remove() }
        // A log with 3 batches and no snapshot, as a server killed before its first snapshot leaves it.
        let t = Timestamp(milliseconds: 1_700_000_000_000)
        do {
            let log = try SQLiteStore(StoreConfiguration(directory: harness.directory, synchronous: .off))
            let records = (1...3).map { batch in
                var body: [UInt8] = []
                for i in 0..<100 {
                    let p = Prediction(
                        id: "p\(batch)-\(i)", time: t, model: "m", score: .probability(0.9), prediction: .number(1))
                    LogCodec.encode(.prediction(p), into: &body)
                }
                return LogRecord(sequence: Int64(batch), entries: 100, newestEvent: t, oldestEvent: t, body: body)
            }
            try await log.append(records)
        }
        // Nothing else would snapshot before the server answers: no interval, no post-recovery snapshot.
        harness.configuration.snapshotInterval = .seconds(3600)
        harness.configuration.snapshotMinEntries = .max
        harness.configuration.recoverySnapshotAfter = .zero
        let snapshots = (harness.directory as NSString).appendingPathComponent("snapshots")
        try await harness.run { client in
            #expect(try FileManager.default.contentsOfDirectory(atPath: snapshots) == ["3.vgs"])
            let (_, models) = try await client.send(.get, "/v1/models")
            #expect((models["models"] as? [[String: Any]])?.first?["predictions"] as? Int == 300)
        }
    }
}
