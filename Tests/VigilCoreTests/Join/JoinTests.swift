import Foundation
import Testing

@testable import VigilCore

/// The join's rules: late, early, duplicate and corrected feedback; conflicts; horizons and bounds.
struct JoinTests {
    let t0 = Fixture.time("2020-02-01T00:00:00Z")

    func prediction(_ id: String, _ score: Double, at t: Timestamp? = nil, version: String = "v1") -> Prediction {
        Prediction(id: id, time: t ?? t0, model: "m", version: version, score: .probability(score))
    }

    func confusion(_ e: Engine) throws -> [Int64] {
        guard case .binary(let tp, let fp, let tn, let fn)? = try e.metrics(model: "m").confusion else { return [] }
        return [tp, fp, tn, fn]
    }

    @Test func lateFeedbackLandsInThePredictionsBucket() throws {
        var e = Engine()
        try e.ingest(prediction("a", 0.9))
        #expect(try e.ingest(Feedback(id: "a", time: t0 + .seconds(10 * 86_400), label: .number(1))) == .labeled)
        let day = try e.metrics(model: "m", window: .range(from: t0, to: t0 + .seconds(86_400)))
        #expect(day["labeled_count"]?.value == 1)
        #expect(day["label_lag_p50"]!.value! > 0.99 * 864_000 && day["label_lag_p50"]!.value! < 1.01 * 864_000)
    }

    @Test func feedbackBeforeItsPredictionWaitsAsAnOrphan() throws {
        var e = Engine()
        #expect(try e.ingest(Feedback(id: "a", time: t0, label: .number(1))) == .orphaned)
        #expect(e.statistics.orphansPending == 1)
        try e.ingest(prediction("a", 0.2, at: t0 + .seconds(5)))
        #expect(e.statistics.orphansMatched == 1)
        #expect(e.statistics.orphansPending == 0)
        #expect(try confusion(e) == [0, 0, 0, 1])
    }

    /// A repeat at the same arrival time changes nothing; a later repeat keeps the counts but moves the label's
    /// arrival time (its lag), so it is `confirmed` — and logged, which a `duplicate` is not.
    @Test func duplicateFeedbackChangesNothing() throws {
        var e = Engine()
        try e.ingest(prediction("a", 0.9))
        try e.ingest(Feedback(id: "a", time: t0 + .seconds(60), label: .number(1)))
        #expect(try e.ingest(Feedback(id: "a", time: t0 + .seconds(60), label: .number(1))) == .duplicate)
        #expect(try e.ingest(Feedback(id: "a", time: t0 + .seconds(120), label: .number(1))) == .confirmed)
        #expect(try confusion(e) == [1, 0, 0, 0])
        #expect(e.statistics.duplicateFeedback == 2)
    }

    @Test func correctionReplacesTheLabel() throws {
        var e = Engine()
        try e.ingest(prediction("a", 0.9))
        try e.ingest(Feedback(id: "a", time: t0 + .seconds(60), label: .number(1)))
        #expect(try e.ingest(Feedback(id: "a", time: t0 + .seconds(3600), label: .number(0))) == .corrected)
        #expect(try confusion(e) == [0, 1, 0, 0])
        let r = try e.metrics(model: "m", names: ["labeled_count", "log_loss", "brier"])
        #expect(r["labeled_count"]?.value == 1)
        expectClose(r["brier"]?.value, 0.81, "brier after correction")
        expectClose(r["log_loss"]?.value, -log(0.1), "log loss after correction")
    }

    @Test func anOlderLabelArrivingLateDoesNotOverrideANewerOne() throws {
        var e = Engine()
        try e.ingest(prediction("a", 0.9))
        try e.ingest(Feedback(id: "a", time: t0 + .seconds(3600), label: .number(0)))
        #expect(try e.ingest(Feedback(id: "a", time: t0 + .seconds(60), label: .number(1))) == .stale)
        #expect(try confusion(e) == [0, 1, 0, 0])
    }

    @Test func orphanCorrectionsKeepTheLatestLabel() throws {
        var e = Engine()
        try e.ingest(Feedback(id: "a", time: t0 + .seconds(3600), label: .number(0)))
        try e.ingest(Feedback(id: "a", time: t0 + .seconds(60), label: .number(1)))
        try e.ingest(prediction("a", 0.9, at: t0))
        #expect(try confusion(e) == [0, 1, 0, 0])
    }

    /// Two labels with the same arrival time resolve the same way whether or not the prediction
    /// was there first (orphan path vs join path): the larger number wins.
    @Test func sameInstantLabelsResolveAlikeWithAndWithoutThePrediction() throws {
        let p = Prediction(id: "a", time: t0, model: "r", prediction: .number(5))
        let labels = [
            Feedback(id: "a", time: t0 + .seconds(60), label: .number(10)),
            Feedback(id: "a", time: t0 + .seconds(60), label: .number(9)),
        ]
        var joined = Engine()
        try joined.ingest(p)
        for f in labels { try joined.ingest(f) }
        var orphaned = Engine()
        for f in labels { try orphaned.ingest(f) }
        try orphaned.ingest(p)
        for e in [joined, orphaned] {
            #expect(try e.metrics(model: "r", names: ["mean_label"])["mean_label"]?.value == 10)
        }
    }

    @Test func samePredictionTwiceIsADuplicateButDifferentContentIsAConflict() throws {
        var e = Engine()
        #expect(try e.ingest(prediction("a", 0.9)) == .stored)
        #expect(try e.ingest(prediction("a", 0.9)) == .duplicate)
        #expect(throws: EventError.self) { try e.ingest(prediction("a", 0.8)) }
        #expect(e.statistics.conflictingPredictions == 1)
        #expect(try e.metrics(model: "m")["count"]?.value == 1)
    }

    @Test func predictionsPastTheLabelHorizonAreEvictedAndCounted() throws {
        var config = EngineConfiguration()
        config.labelHorizon = .seconds(86_400)
        var e = Engine(configuration: config)
        try e.ingest(prediction("a", 0.9))
        try e.ingest(prediction("b", 0.1))
        try e.ingest(Feedback(id: "b", time: t0 + .seconds(60), label: .number(0)))
        e.advance(to: t0 + .seconds(3 * 86_400))
        #expect(e.statistics.evicted == 2)
        #expect(e.statistics.evictedNeverLabeled == 1)
        #expect(e.statistics.pendingPredictions == 0)
        // Feedback for an evicted prediction can no longer join: it waits as an orphan, and the
        // prediction's bucket still counts it as unlabeled.
        #expect(try e.ingest(Feedback(id: "a", time: t0 + .seconds(3 * 86_400), label: .number(1))) == .orphaned)
        let r = try e.metrics(model: "m")
        #expect(r["count"]?.value == 2)
        #expect(r["labeled_count"]?.value == 1)
    }

    @Test func orphansAreBoundedInCountAndAge() throws {
        var config = EngineConfiguration()
        config.maxOrphans = 2
        config.orphanHorizon = .seconds(3600)
        var e = Engine(configuration: config)
        for (i, id) in ["x", "y", "z"].enumerated() {
            try e.ingest(Feedback(id: id, time: t0 + .seconds(Int64(i)), label: .number(1)))
        }
        #expect(e.statistics.orphansDropped == 1)
        #expect(e.statistics.orphansPending == 2)
        e.advance(to: t0 + .seconds(2 * 3600))
        #expect(e.statistics.orphansExpired == 2)
        #expect(e.statistics.orphansPending == 0)
    }

    @Test func invalidEventsNameTheirField() throws {
        var e = Engine()
        try e.ingest(prediction("a", 0.5))
        let cases: [(() throws -> Void, String)] = [
            ({ _ = try e.ingest(prediction("n", .nan)) }, "score"),
            ({ _ = try e.ingest(prediction("n", 1.5)) }, "score"),
            ({ _ = try e.ingest(Prediction(id: "", time: t0, model: "m", score: .probability(0.5))) }, "id"),
            ({ _ = try e.ingest(Feedback(id: "a", time: t0, label: .number(2))) }, "label"),
            ({ _ = try e.ingest(Feedback(id: "a", time: t0, label: .number(.infinity))) }, "label"),
            (
                { _ = try e.ingest(Prediction(id: "c", time: t0, model: "m", score: .classes([ClassScore("x", 1)]))) },
                "score"
            ),
        ]
        for (body, field) in cases {
            do {
                try body()
                Issue.record("expected an error on \(field)")
            } catch let error as EventError {
                #expect(error.field == field, "\(error)")
            }
        }
        #expect(try e.metrics(model: "m")["count"]?.value == 1)
    }

    @Test func queriesRejectUnknownModelsVersionsAndMetrics() throws {
        var e = Engine()
        try e.ingest(prediction("a", 0.5))
        #expect(throws: QueryError.self) { try e.metrics(model: "nope") }
        #expect(throws: QueryError.self) { try e.metrics(model: "m", version: "v9") }
        #expect(throws: QueryError.self) { try e.metrics(model: "m", names: ["rmse"]) }
    }

    /// Many inserts and chunk evictions keep every live id findable (backward-shift deletion).
    @Test func joinIndexSurvivesInterleavedInsertsAndEvictions() {
        var index = JoinIndex(seed: 42, maxChunkSpanMilliseconds: 1_000_000)
        var live: [String: Int64] = [:]
        for i in 0..<50_000 {
            let id = "id-\(i * 7919 % 100_003)"
            let time = Int64(i) * 10
            _ = index.insert(id: id, hash: index.hash(id), time: time, value: 0, sliceSet: 0, flags: 0)
            live[id] = time
            if i % 5000 == 4999 {
                let cutoff = time - 200_000
                index.evict(olderThan: cutoff) { _, _ in }
                live = live.filter { $0.value >= cutoff - 1_000_000 }
            }
        }
        for (id, time) in live {
            if let ref = index.find(id) {
                #expect(index.entry(ref).time == time)
            } else {
                // Evicted ids are those whose chunk ended before the cutoff.
                #expect(time < 49_999 * 10 - 200_000, "live id \(id) lost")
            }
        }
        #expect(index.count > 0 && index.count <= 50_000)
        #expect(index.find("never-inserted") == nil)
    }
}

/// The hash table holds exactly one slot per entry across growth, eviction and chunk reuse.
@Suite struct JoinIndexTableTests {
    @Test func growthEvictionAndReuseKeepOneSlotPerEntry() {
        var index = JoinIndex(seed: 1, maxChunkSpanMilliseconds: 1_000_000)
        // 3,000 entries make the table grow from 1,024 to 2,048 and 4,096 slots.
        for i in 0..<3000 {
            let id = "a\(i)"
            _ = index.insert(id: id, hash: index.hash(id), time: Int64(i), value: 0.5, sliceSet: 0, flags: 0)
        }
        #expect(index.count == 3000)
        #expect(index.occupiedSlots == 3000)
        var evicted = 0
        index.evict(olderThan: 10_000_000) { _, _ in evicted += 1 }
        #expect(evicted == 3000)
        #expect(index.occupiedSlots == 0)
        // The freed chunks are reused; every new id is found, no old one is.
        for i in 0..<2500 {
            let id = "b\(i)"
            _ = index.insert(
                id: id, hash: index.hash(id), time: 20_000_000 + Int64(i), value: 0.5, sliceSet: 0, flags: 0)
        }
        #expect(index.occupiedSlots == 2500)
        #expect(index.find("b2499") != nil)
        #expect(index.find("a10") == nil)
        index.evict(olderThan: 40_000_000) { _, _ in }
        #expect(index.occupiedSlots == 0)
    }

    /// Growth is incremental: when the table passes 0.7 load it doubles, and each insert moves 4 slots of the
    /// old table, so the old table lasts 1,024 / 4 = 256 inserts; meanwhile every entry is found in one table
    /// or the other, and a straddling eviction finishes the move first.
    @Test func growthMovesTheOldTableAFewSlotsPerInsert() {
        var index = JoinIndex(seed: 2, maxChunkSpanMilliseconds: 1_000_000)
        func insert(_ i: Int) {
            let id = "g\(i)"
            _ = index.insert(id: id, hash: index.hash(id), time: Int64(i), value: 0.5, sliceSet: 0, flags: 0)
        }
        for i in 0..<716 { insert(i) }
        var growing = index.isGrowing
        #expect(!growing)
        insert(716)  // 717 > 0.7 × 1,024
        growing = index.isGrowing
        #expect(growing)
        for i in 717..<(717 + 255) {
            insert(i)
            growing = index.isGrowing
            #expect(growing, "still moving after \(i - 716) inserts")
            #expect(index.find("g\(i - 700)") != nil && index.find("g3") != nil && index.find("g\(i)") != nil)
        }
        insert(972)
        growing = index.isGrowing
        #expect(!growing)
        #expect(index.occupiedSlots == 973)
        #expect((0..<973).allSatisfy { index.find("g\($0)") != nil })
        // Grow again (at 1,434 > 0.7 × 2,048) and evict half while the old table is still being moved.
        for i in 973..<1434 { insert(i) }
        growing = index.isGrowing
        #expect(growing)
        var evicted = 0
        index.evict(olderThan: 700) { _, _ in evicted += 1 }
        growing = index.isGrowing
        let (count, occupied) = (index.count, index.occupiedSlots)
        #expect(!growing && evicted == 700 && count == 734 && occupied == 734)
        #expect(index.find("g699") == nil && index.find("g700") != nil && index.find("g1433") != nil)
    }

    /// Predictions out of time order fill the chunk of their span of times instead of opening a chunk each:
    /// 100,000 entries at random times over 30 spans take ~100 chunks (each 1,024 entries or its span's
    /// remainder), not ~97,000, and a chunk still spans at most one span, so eviction stays exact.
    @Test func outOfOrderTimesFillTheChunkOfTheirSpan() {
        let span: Int64 = 3_600_000
        var index = JoinIndex(seed: 3, maxChunkSpanMilliseconds: span)
        var rng = SplitMix64(seed: 11)
        var times: [String: Int64] = [:]
        for i in 0..<100_000 {
            let id = "r\(i)"
            let time = Int64(rng.next() % UInt64(30 * span))
            _ = index.insert(id: id, hash: index.hash(id), time: time, value: 0, sliceSet: 0, flags: 0)
            times[id] = time
        }
        let used = index.chunks.filter { !$0.isFree && $0.count > 0 }
        #expect(used.count <= 100_000 / 1024 + 30, "\(used.count) chunks")
        #expect(used.allSatisfy { $0.maxTime - $0.minTime < span })
        #expect(index.allocatedBytes < 100_000 * 120, "\(index.allocatedBytes) bytes")
        // Evicting the first 10 spans removes exactly the entries older than them.
        var evicted = 0
        index.evict(olderThan: 10 * span) { _, _ in evicted += 1 }
        #expect(evicted == times.values.filter { $0 < 10 * span }.count)
        #expect(index.count == times.values.filter { $0 >= 10 * span }.count)
        // New entries in an evicted span open a fresh chunk there.
        _ = index.insert(id: "late", hash: index.hash("late"), time: 5 * span, value: 0, sliceSet: 0, flags: 0)
        #expect(index.find("late") != nil && index.find("r0").map { index.entry($0).time } == times["r0"].flatMap { $0 >= 10 * span ? $0 : nil })
    }
}
