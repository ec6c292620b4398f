import VigilCore

/// A deterministic synthetic stream for benchmarks: a binary model with two versions over 30 days,
/// predictions in time order, labels for 80 % of them arriving 0–48 h later, merged by time.
struct SyntheticWorkload {
    enum Event {
        case prediction(Prediction)
        case feedback(Feedback)
    }

    var events: [Event] = []
    var predictions = 0
    var feedback = 0
    let start = Timestamp(milliseconds: 1_580_515_200_000)  // 2020-02-01
    let span: Int64 = 30 * 86_400_000

    init(predictions n: Int, seed: UInt64 = 1) {
        var rng = SplitMix64(seed: seed)
        var labels: [(Int64, Feedback)] = []
        labels.reserveCapacity(n)
        var preds: [Prediction] = []
        preds.reserveCapacity(n)
        for i in 0..<n {
            let t = start.milliseconds + span * Int64(i) / Int64(n)
            let score = Double(rng.next() % 10_000) / 10_000
            let id = "p\(i)"
            preds.append(
                Prediction(
                    id: id, time: Timestamp(milliseconds: t), model: "bench", version: i % 10 == 0 ? "v2" : "v1",
                    score: .probability(score), prediction: .number(score >= 0.5 ? 1 : 0)))
            if rng.next() % 10 < 8 {
                let lag = Int64(rng.next() % (48 * 3_600_000))
                let y = Double(rng.next() % 10_000) / 10_000 < score ? 1.0 : 0.0
                labels.append((t + lag, Feedback(id: id, time: Timestamp(milliseconds: t + lag), label: .number(y))))
            }
        }
        labels.sort { $0.0 < $1.0 }
        events.reserveCapacity(preds.count + labels.count)
        var j = 0
        for p in preds {
            while j < labels.count && labels[j].0 < p.time.milliseconds {
                events.append(.feedback(labels[j].1))
                j += 1
            }
            events.append(.prediction(p))
        }
        while j < labels.count {
            events.append(.feedback(labels[j].1))
            j += 1
        }
        predictions = preds.count
        feedback = labels.count
    }

    var end: Timestamp { start + .milliseconds(span) }
}
