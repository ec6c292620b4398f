import Foundation
import Testing
import VigilCore

/// Property: whatever order events are ingested in — feedback before predictions, corrections
/// before originals, duplicates anywhere — the incremental state equals a from-scratch
/// recomputation over the resolved labels (latest arrival wins; ties → larger label).
struct IncrementalEquivalenceTests {
    struct Case {
        var predictions: [Prediction]
        var feedback: [Feedback]
    }

    static let t0 = Fixture.time("2020-02-01T00:00:00Z")

    static func makeCase(seed: UInt64, regression: Bool) -> Case {
        var rng = SplitMix64(seed: seed)
        var predictions: [Prediction] = []
        var feedback: [Feedback] = []
        let n = Int.random(in: 50...400, using: &rng)
        for i in 0..<n {
            let time = t0 + .seconds(Int64.random(in: 0..<(3 * 86_400), using: &rng))
            let id = "p\(i)"
            if regression {
                let y = Double(Int.random(in: 0...3000, using: &rng)) / 100
                predictions.append(
                    Prediction(
                        id: id, time: time, model: "m", version: i % 3 == 0 ? "v2" : "v1", prediction: .number(y)))
            } else {
                let s = Double(Int.random(in: 1...9999, using: &rng)) / 10_000
                predictions.append(
                    Prediction(
                        id: id, time: time, model: "m", version: i % 3 == 0 ? "v2" : "v1", score: .probability(s)))
            }
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let arrival = time + .seconds(Int64.random(in: -3600...(2 * 86_400), using: &rng))
                let label: Outcome =
                    regression
                    ? .number(Double(Int.random(in: 0...3000, using: &rng)) / 100)
                    : .number(Double(Int.random(in: 0...1, using: &rng)))
                feedback.append(Feedback(id: id, time: arrival, label: label))
                if Bool.random(using: &rng) { feedback.append(feedback.last!) }
            }
        }
        for i in 0..<Int.random(in: 0...10, using: &rng) {
            feedback.append(Feedback(id: "orphan\(i)", time: t0 + .seconds(Int64(i)), label: .number(1)))
        }
        return Case(predictions: predictions, feedback: feedback)
    }

    /// Ingests every event in a random interleaving (not time order).
    static func ingestShuffled(_ c: Case, seed: UInt64) throws -> Engine {
        var rng = SplitMix64(seed: seed)
        var events: [Either] = c.predictions.map(Either.prediction) + c.feedback.map(Either.feedback)
        events.shuffle(using: &rng)
        var engine = Engine()
        for e in events {
            switch e {
            case .prediction(let p): try engine.ingest(p)
            case .feedback(let f): try engine.ingest(f)
            }
        }
        return engine
    }

    enum Either {
        case prediction(Prediction)
        case feedback(Feedback)
    }

    /// The label in effect per id, computed directly from the rows.
    static func resolvedLabels(_ c: Case) -> [String: Double] {
        var best: [String: (Timestamp, Double)] = [:]
        for f in c.feedback {
            guard case .number(let y) = f.label else { continue }
            if let (t, old) = best[f.id], t > f.time || (t == f.time && old >= y) { continue }
            best[f.id] = (f.time, y)
        }
        return best.mapValues(\.1)
    }

    @Test(arguments: 1...12)
    func binaryStateIsOrderIndependentAndEqualsRecomputation(seed: Int) throws {
        let c = Self.makeCase(seed: UInt64(seed), regression: false)
        let labels = Self.resolvedLabels(c)
        let window = Window.range(
            from: Self.t0 + .seconds(86_400), to: Self.t0 + .seconds(2 * 86_400 + 7 * 3600 + 13 * 60))
        for order in 0..<3 {
            let engine = try Self.ingestShuffled(c, seed: UInt64(seed * 100 + order))
            for w in [Window.cumulative, window] {
                let report = try engine.metrics(model: "m", window: w)
                // Edges older than the minute buckets' retention resolve to the hour: recompute over the
                // bounds the engine reports it used.
                let inWindow = { (t: Timestamp) in
                    report.from.map { t >= $0 } ?? true && report.to.map { t < $0 } ?? true
                }
                var tp: Int64 = 0, fp: Int64 = 0, tn: Int64 = 0, fn: Int64 = 0
                var logLoss = 0.0, n = 0, count = 0
                var positives: [Double] = [], negatives: [Double] = []
                for p in c.predictions where inWindow(p.time) {
                    count += 1
                    guard let y = labels[p.id], case .probability(let s)? = p.score else { continue }
                    let yhat = s >= 0.5
                    switch (yhat, y == 1) {
                    case (true, true): tp += 1
                    case (true, false): fp += 1
                    case (false, false): tn += 1
                    case (false, true): fn += 1
                    }
                    logLoss -= y == 1 ? log(s) : log(1 - s)
                    n += 1
                    if y == 1 { positives.append(s) } else { negatives.append(s) }
                }
                var pairs = 0.0
                for a in positives { for b in negatives { pairs += a > b ? 1 : a == b ? 0.5 : 0 } }
                guard case .binary(let etp, let efp, let etn, let efn)? = report.confusion else {
                    Issue.record("no confusion")
                    return
                }
                #expect([etp, efp, etn, efn] == [tp, fp, tn, fn], "seed \(seed) order \(order) \(w)")
                #expect(report["count"]?.value == Double(count))
                expectClose(report["log_loss"]?.value, n > 0 ? logLoss / Double(n) : nil, "log loss")
                let auc =
                    positives.isEmpty || negatives.isEmpty ? nil : pairs / Double(positives.count * negatives.count)
                expectClose(report["roc_auc"]?.value, auc, "auc")
            }
        }
    }

    @Test(arguments: 1...8)
    func regressionStateIsOrderIndependentAndEqualsRecomputation(seed: Int) throws {
        let c = Self.makeCase(seed: UInt64(seed) + 1000, regression: true)
        let labels = Self.resolvedLabels(c)
        var errors: [(Double, Double)] = []
        for p in c.predictions {
            guard let y = labels[p.id], case .number(let yhat)? = p.prediction else { continue }
            errors.append((yhat, y))
        }
        let n = Double(errors.count)
        let mae = errors.map { abs($0.0 - $0.1) }.reduce(0, +) / n
        let rmse = (errors.map { ($0.0 - $0.1) * ($0.0 - $0.1) }.reduce(0, +) / n).squareRoot()
        let mean = errors.map(\.1).reduce(0, +) / n
        let sse: Double = errors.map { ($0.1 - $0.0) * ($0.1 - $0.0) }.reduce(0, +)
        let sst: Double = errors.map { ($0.1 - mean) * ($0.1 - mean) }.reduce(0, +)
        let r2 = 1 - sse / sst
        for order in 0..<3 {
            let report = try Self.ingestShuffled(c, seed: UInt64(seed * 100 + order)).metrics(model: "m")
            #expect(report["labeled_count"]?.value == n)
            expectClose(report["mae"]?.value, mae, "mae")
            expectClose(report["rmse"]?.value, rmse, "rmse")
            expectClose(report["r2"]?.value, r2, relative: 1e-8, "r2")
            expectClose(report["mean_label"]?.value, mean, "mean label")
        }
    }
}
