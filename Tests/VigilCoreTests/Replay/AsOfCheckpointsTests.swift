import Testing
import VigilCore

@Suite struct AsOfCheckpointsTests {
    static let day = Timestamp(milliseconds: 86_400_000)

    static func at(_ days: Double) -> Timestamp { Timestamp(milliseconds: Int64(days * 86_400_000)) }

    static func checkpoint(_ days: Double) -> AsOfCheckpoints.Checkpoint {
        AsOfCheckpoints.Checkpoint(time: at(days), sequence: 1, first: 1, engine: Engine())
    }

    @Test func nearestIsTheLatestAtOrBefore() {
        var c = AsOfCheckpoints(spacing: .seconds(86_400), capacity: 4)
        for d in [3.0, 1, 2] { c.insert(Self.checkpoint(d)) }
        #expect(c.all.map(\.time) == [Self.at(1), Self.at(2), Self.at(3)])
        #expect(c.nearest(atOrBefore: Self.at(2.5))?.time == Self.at(2))
        #expect(c.nearest(atOrBefore: Self.at(2))?.time == Self.at(2))
        #expect(c.nearest(atOrBefore: Self.at(0.5)) == nil)
    }

    @Test func theLeastRecentlyUsedGoesPastCapacity() {
        var c = AsOfCheckpoints(spacing: .seconds(86_400), capacity: 2)
        c.insert(Self.checkpoint(1))
        c.insert(Self.checkpoint(2))
        _ = c.nearest(atOrBefore: Self.at(1.5))  // uses day 1: day 2 is now the least recent
        c.insert(Self.checkpoint(3))
        #expect(c.all.map(\.time) == [Self.at(1), Self.at(3)])
        var none = AsOfCheckpoints(spacing: .seconds(86_400), capacity: 0)
        none.insert(Self.checkpoint(1))
        #expect(none.all.isEmpty)
    }

    @Test(
        arguments: [
            (nil, 5.5, 3, [3.0, 4, 5]),  // from the beginning: only the last `capacity`
            (3.0, 5.5, 3, [4.0, 5]),  // after a checkpoint: the midnights since
            (5.0, 5.5, 3, []),
            (0.2, 2.5, 3, [1.0, 2]),
            (nil, 5.5, 0, []),
        ] as [(Double?, Double, Int, [Double])])
    func boundariesAreTheMultiplesOfTheSpacingPassed(start: Double?, end: Double, capacity: Int, want: [Double]) {
        let c = AsOfCheckpoints(spacing: .seconds(86_400), capacity: capacity)
        #expect(c.boundaries(after: start.map(Self.at), through: Self.at(end)) == want.map(Self.at))
    }
}
