import Foundation
import Testing
import VigilCore

@testable import VigilStore

/// A shard's aggregates sent between nodes (binary, as `GET /v1/cluster/shards/{k}` sends them) merge into the
/// answers exactly as the owner's own.
struct ShardAggregatesCodingTests {
    @Test func aShardsAggregatesSurviveTheBinaryCoding() throws {
        var configuration = EngineConfiguration()
        configuration.shards = 4
        var whole = Engine(configuration: configuration)
        whole.own(Set(0..<4))
        var reader = Engine(configuration: configuration)
        reader.own([0])
        let t0 = Timestamp(milliseconds: 1_580_515_200_000)
        var events: [Event] = []
        for i in 0..<4000 {
            let time = t0 + .seconds(Int64(i) * 97)
            events.append(
                .prediction(
                    Prediction(
                        id: "p\(i)", time: time, model: "m", version: "v1",
                        features: ["x": .number(Double(i % 13)), "c": .string("k\(i % 3)")],
                        score: .probability(Double(i % 10) / 10), prediction: .number(Double(i % 2)))))
            if i % 3 != 0 {
                events.append(
                    .feedback(Feedback(id: "p\(i)", time: time + .seconds(3600), label: .number(Double(i % 2)))))
            }
        }
        _ = whole.ingest(events, run: Engine.sequentially)
        _ = reader.ingest(events, run: Engine.sequentially)
        var parts: [Int: ShardAggregates] = [:]
        for k in 1..<4 {
            let bytes = try BinaryEncoder().encode(whole.aggregates(ofShard: k))
            parts[k] = try BinaryDecoder().decode(ShardAggregates.self, from: Data(bytes))
        }
        let merged = reader.merging(parts)
        let window = Window.range(from: t0, to: t0 + .seconds(4000 * 97 + 7200))
        let a = try whole.metrics(model: "m", window: window)
        let b = try merged.metrics(model: "m", window: window)
        #expect(a.confusion == b.confusion)
        #expect(a.values["accuracy"]?.n == b.values["accuracy"]?.n)
        #expect(whole.statistics == merged.statistics)
    }
}
