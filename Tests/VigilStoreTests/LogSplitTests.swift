import Foundation
import PostgresNIO
import Testing
import VigilCore

@testable import VigilStore

/// The last progress a rebuild reported.
private final class Said: @unchecked Sendable {
    var last: (Int, Int)?
}

/// A cluster's log split by shard: a node reading the headers and its own shards' rows ends in the state a node
/// reading every row reaches, and the stores give back each batch whole, or in part.
@Suite struct LogSplitTests {
    static let configuration = {
        var configuration = EngineConfiguration()
        configuration.shards = 4
        return configuration
    }()

    /// The rebuild tests' events (three days of minutes, late and orphan labels), with a segment value that
    /// changes every 500 predictions, so that interning barriers come in the middle of batches.
    static let entries: [LogEntry] = EngineRebuilderTests.events(count: 3000).map { entry in
        guard case .prediction(var p) = entry else { return entry }
        p.segments["city"] = "c\((Int(p.id.dropFirst()) ?? 0) / 500)"
        return .prediction(p)
    }

    /// The log a writer owning `owned` writes for `entries`, in batches of `size`, each split as the server
    /// splits it (the rows the writer accepted, placed as its engine applied them); and the writer.
    static func splitLog(
        _ entries: [LogEntry], configuration: EngineConfiguration = configuration, owned: Set<Int> = [0],
        size: Int = 250
    ) throws -> (records: [LogRecord], writer: Engine) {
        var writer = Engine(configuration: configuration)
        writer.own(owned)
        var records: [LogRecord] = []
        for start in stride(from: 0, to: entries.count, by: size) {
            let batch = Array(entries[start..<min(start + size, entries.count)])
            let events = batch.map { entry -> Event in
                switch entry {
                case .prediction(let p): return .prediction(p)
                case .feedback(let f): return .feedback(f)
                default: fatalError("events only")
                }
            }
            var placements: [Int] = []
            let results = writer.ingest(events, run: Engine.sequentially, placements: &placements)
            let kept = results.indices.filter { if case .success = results[$0] { true } else { false } }
            var record = StoreContractTests.record(Int64(records.count + 1), kept.map { batch[$0] })
            let split = try #require(
                LogSplit.split(
                    kept.map { encoded(batch[$0]) }, shards: kept.map { placements[$0] },
                    newest: record.newestEvent!))
            record.body = split.header
            record.parts = split.parts
            record.entries += 1
            records.append(record)
        }
        return (records, writer)
    }

    static func encoded(_ entry: LogEntry) -> ArraySlice<UInt8> {
        var bytes: [UInt8] = []
        LogCodec.encode(entry, into: &bytes)
        return bytes[...]
    }

    /// Two nodes owning `owned` follow `records`, one reading the headers and its shards' parts, the other every
    /// row; `same` compares them after each batch. Returns both, the batches after which they differed, and the
    /// entries the first one read.
    static func follow(
        _ records: [LogRecord], owned: Set<Int>, configuration: EngineConfiguration = configuration,
        same: (Engine, Engine) throws -> Bool
    ) throws -> (partial: Engine, full: Engine, apart: [Int64], read: Int) {
        var partial = Engine(configuration: configuration)
        partial.own(owned)
        var full = partial
        var apart: [Int64] = []
        var read = 0
        for record in records {
            let mine = try LogSplit.merge([record.body] + record.parts.filter { owned.contains($0.shard) }.map(\.body))
            read += try entries(mine).count
            _ = try LogTail.apply(mine, to: &partial, run: Engine.sequentially)
            _ = try LogTail.apply(record.wholeBody(), to: &full, run: Engine.sequentially)
            if try !same(partial, full) { apart.append(record.sequence) }
        }
        return (partial, full, apart, read)
    }

    static func entries(_ body: [UInt8]) throws -> [LogEntry] {
        var out: [LogEntry] = []
        try body.withUnsafeBytes { try LogCodec.decode($0) { out.append($0) } }
        return out
    }

    /// A batch's header and parts merge back into the batch, and a header with one part into the batch's
    /// barriers and that shard's rows, in batch order.
    @Test func aSplitBatchMergesBackInOrder() throws {
        let batch: [LogEntry] = Array(Self.entries[..<6])
        let encoded = batch.map(Self.encoded)
        let shards = [-1, 2, 0, 2, -1, 3]
        let t = Timestamp(milliseconds: 1_700_000_999_000)
        let split = try #require(LogSplit.split(encoded, shards: shards, newest: t))
        #expect(split.parts.map(\.shard) == [0, 2, 3])
        #expect(split.parts.map(\.entries) == [1, 2, 1])
        #expect(try Self.entries(LogSplit.merge([split.header] + split.parts.map(\.body))) == batch + [.watermark(t)])
        #expect(
            try Self.entries(LogSplit.merge([split.header, split.parts[1].body])) == [
                batch[0], batch[1], batch[3], batch[4], .watermark(t),
            ])
        #expect(try Self.entries(LogSplit.merge([split.header])) == [batch[0], batch[4], .watermark(t)])
        // A batch of barriers only stays whole.
        #expect(LogSplit.split(encoded, shards: Array(repeating: -1, count: 6), newest: t) == nil)
        #expect(throws: LogCorruption.self) { try LogSplit.merge([[5, 9, 1]]) }
    }

    /// The test that matters: applying only the headers and shards 1 and 2 gives those shards, and everything
    /// the nodes share, exactly as applying every row does.
    @Test func aNodeReadingItsShardsEndsAsANodeReadingEveryRow() throws {
        let (records, writer) = try Self.splitLog(Self.entries)
        var (partial, full, apart, read) = try Self.follow(records, owned: [1, 2]) { $0.watermark == $1.watermark }
        #expect(apart == [])
        // The split saved reading shards 0 and 3: about half the rows.
        let all = records.reduce(0) { $0 + $1.entries }
        #expect(records.allSatisfy { !$0.parts.isEmpty } && read < all * 6 / 10 && read > all * 4 / 10)
        #expect(partial.watermark == full.watermark && partial.watermark == writer.watermark)
        #expect(try EngineRebuilderTests.values(partial) == EngineRebuilderTests.values(full))
        #expect(partial.statistics == full.statistics)
        for city in ["c0", "c3", "c5"] {
            let slice = Segment(key: "city", value: city)
            #expect(
                try partial.metrics(model: "m", segment: slice).values
                    == full.metrics(model: "m", segment: slice).values)
        }
        // The shared names and watermark are the writer's: its shard 0 fits the partial node.
        let adopted = partial.adoptShard(0, from: writer)
        #expect(adopted)
    }

    /// The taxi fixture (20,000 predictions over four weeks, then their labels, in batches of 500 as the cluster
    /// test sends them), six shards: after every batch, the node reading shards 1 and 4 agrees with one reading
    /// every row.
    @Test func theTaxiFixtureSplitAgreesAfterEveryBatch() throws {
        var configuration = EngineConfiguration()
        configuration.shards = 6
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/taxi")
        func rows(_ file: String) throws -> [[String: String]] {
            let lines = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n").map {
                    $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                }
            return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
        }
        let predictions: [LogEntry] = try rows("predictions.csv").map { r in
            var features: [String: FeatureValue] = [:]
            for c in ["trip_distance", "fare_amount", "passenger_count", "pickup_hour"] {
                features[c] = r[c]!.isEmpty ? .null : .number(Double(r[c]!)!)
            }
            for c in ["payment_type", "pickup_borough"] { features[c] = r[c]!.isEmpty ? .null : .string(r[c]!) }
            return .prediction(
                Prediction(
                    id: r["id"]!, time: try Timestamp(iso8601: r["timestamp"]!), model: r["model"]!,
                    version: r["version"]!,
                    segments: ["payment_type": r["payment_type"]!, "pickup_borough": r["pickup_borough"]!],
                    features: features, score: .probability(Double(r["score"]!)!),
                    prediction: .number(Double(r["prediction"]!)!)))
        }
        let feedback: [LogEntry] = try rows("feedback.csv").map { r in
            .feedback(
                Feedback(
                    id: r["id"]!, time: try Timestamp(iso8601: r["timestamp"]!), label: .number(Double(r["label"]!)!)))
        }.sorted { $0.eventTime! < $1.eventTime! }
        let (records, _) = try Self.splitLog(
            predictions + feedback, configuration: configuration, owned: [0, 3], size: 500)
        let (partial, _, apart, _) = try Self.follow(records, owned: [1, 4], configuration: configuration) {
            try $0.watermark == $1.watermark && $0.statistics == $1.statistics
                && $0.metrics(model: "taxi-tip").values == $1.metrics(model: "taxi-tip").values
        }
        #expect(apart == [])
        #expect(partial.statistics.predictionsAccepted > 6000)
    }

    /// Both stores give a split batch back whole; PostgreSQL keeps it split, hash-partitioned on the shard, and
    /// reads only the parts asked for.
    @Test(arguments: StoreBackend.all)
    func storesGiveASplitBatchBackWholeOrInPart(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            let store = try await location.open()
            let (records, _) = try Self.splitLog(Array(Self.entries[..<1500]))
            try await store.append(records)
            #expect(try await store.count() == (records.count, records.reduce(0) { $0 + $1.entries }))
            #expect(try await store.lastSequence() == Int64(records.count))
            var whole: [[UInt8]] = []
            try await store.forEachRecord(after: 0) { _, bytes in whole.append(Array(bytes)) }
            #expect(try whole == records.map { try $0.wholeBody() })
            var spans: [[UInt8]] = []
            _ = try await store.forEachRecord(eventsAfter: nil, through: Timestamp(milliseconds: .max)) { _, bytes in
                spans.append(Array(bytes))
            }
            #expect(spans == whole)
            var mine: [[UInt8]] = []
            try await store.forEachRecord(after: 2, shards: [3]) { _, bytes in mine.append(Array(bytes)) }
            if store is PostgresStore {
                #expect(
                    try mine
                        == records.dropFirst(2).map {
                            try LogSplit.merge([$0.body] + $0.parts.filter { $0.shard == 3 }.map(\.body))
                        })
            } else {
                #expect(mine == Array(whole.dropFirst(2)))
            }
            // Retention drops every part of the batches it cuts.
            try await store.saveSnapshot(
                sequence: 2, createdAt: Timestamp(milliseconds: 0), engine: Engine(configuration: Self.configuration))
            #expect(try await store.prune(olderThan: Timestamp(milliseconds: .max)) == 2)
            var after: [[UInt8]] = []
            try await store.forEachRecord(after: 0) { _, bytes in after.append(Array(bytes)) }
            #expect(after == Array(whole.dropFirst(2)))
        }
    }

    /// A node rebuilt from a split log on PostgreSQL, owning shard 3, reads only shard 3's rows and equals a
    /// node that applied every row.
    @Test(arguments: ShardSnapshotTests.postgres)
    func aRebuildReadsItsShardsOfASplitLog(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            let store = try await location.open()
            let (records, _) = try Self.splitLog(Self.entries)
            try await store.append(records)
            var rebuilder = EngineRebuilder(log: store, configuration: Self.configuration)
            rebuilder.owned = [3]
            let said = Said()
            rebuilder.progress = { done, total in said.last = (done, total) }
            let result = try await rebuilder.recover()
            // Its progress counts the entries it reads, not the whole log's.
            #expect(said.last?.0 == result.replayedEntries && said.last?.1 == result.replayedEntries)
            #expect(try await store.count(after: 0, shards: [3]).entries == result.replayedEntries)
            #expect(try await store.count(after: 0, shards: []).entries < result.replayedEntries)
            var full = Engine(configuration: Self.configuration)
            full.own([3])
            for record in records { _ = try LogTail.apply(record.wholeBody(), to: &full, run: Engine.sequentially) }
            let shard3 = records.reduce(0) { $0 + ($1.parts.first { $0.shard == 3 }?.entries ?? 0) }
            let others = records.reduce(0) { $0 + $1.parts.reduce(0) { $0 + $1.entries } } - shard3
            #expect(result.replayedEntries == records.reduce(0) { $0 + $1.entries } - others)
            #expect(result.engine.watermark == full.watermark)
            #expect(try EngineRebuilderTests.values(result.engine) == EngineRebuilderTests.values(full))
            #expect(result.engine.statistics == full.statistics)
        }
    }

    /// A database whose log was written before the split (schema version 3) keeps its batches: the migration
    /// moves them into the partitioned log whole.
    @Test(arguments: ShardSnapshotTests.postgres)
    func theMigrationKeepsTheBatchesLoggedBeforeTheSplit(_ backend: StoreBackend) async throws {
        try await backend.withLocation { location in
            let current = try #require(try await location.open() as? PostgresStore)
            let records = (1...3).map {
                StoreContractTests.record(Int64($0), Array(Self.entries[(($0 - 1) * 10)..<($0 * 10)]))
            }
            // Back to version 3, with the log as it was then.
            try await current.connection { c in
                for table in ["log", "vigil_migration"] {
                    try await c.query(PostgresQuery(unsafeSQL: "DROP TABLE \(table) CASCADE"), logger: current.logger)
                }
                for statement in PostgresStore.migrations[0][0...2] {
                    try await c.query(PostgresQuery(unsafeSQL: statement), logger: current.logger)
                }
                try await c.query(
                    "CREATE TABLE vigil_migration (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                    logger: current.logger)
                try await c.query("INSERT INTO vigil_migration (version) VALUES (1), (2), (3)", logger: current.logger)
                for r in records {
                    try await c.query(
                        """
                        INSERT INTO log (seq, entries, newest_ms, oldest_ms, body) VALUES (\(r.sequence), \(Int64(r.entries)),
                            \(r.newestEvent?.milliseconds), \(r.oldestEvent?.milliseconds), \(ByteBuffer(bytes: r.body)))
                        """, logger: current.logger)
                }
            }
            let migrated = try await location.open()
            #expect(try await migrated.count() == (3, 30))
            var bodies: [[UInt8]] = []
            try await migrated.forEachRecord(after: 0, shards: [1]) { _, bytes in bodies.append(Array(bytes)) }
            #expect(bodies == records.map(\.body))
            let partitions = try await current.rows(
                "SELECT count(*) FROM pg_inherits WHERE inhparent = 'log'::regclass")[0].decode(Int.self)
            #expect(partitions == PostgresStore.logPartitions)
        }
    }
}
