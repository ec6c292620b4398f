import Testing

@testable import VigilCore

/// Aggregates are mergeable: merging the aggregates of two halves of the rows, every part
/// included, gives the same metrics as one aggregate over all rows — what a query over several
/// partitions relies on.
struct AggregateMergeTests {
    static func rows(seed: UInt64, count: Int) -> [(LabeledRow, Double)] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let s = Double(Int.random(in: 0...10_000, using: &rng)) / 10_000
            let y: Double = Bool.random(using: &rng) ? 1 : 0
            let lag = Double(Int.random(in: 0...200_000, using: &rng))
            return (LabeledRow(task: .binary, score: s, prediction: s >= 0.5 ? 1 : 0, label: y), lag)
        }
    }

    static func aggregate(_ rows: ArraySlice<(LabeledRow, Double)>) -> Aggregate {
        var a = Aggregate()
        for (row, lag) in rows {
            a.count += 1
            a.apply(row, 1)
            a.lag.add(seconds: lag)
        }
        return a
    }

    static func metrics(_ a: Aggregate) -> [String: Double?] {
        var dense = DenseScoreHistogram()
        dense.add(a.binary.histogram)
        let computer = MetricComputer(task: .binary, classes: [])
        let merged = WindowMerge.Result(aggregate: a, rocAUC: dense.rocAUC, lag: a.lag)
        return Dictionary(uniqueKeysWithValues: MetricCatalog.binary.map { ($0, computer.value($0, merged)?.value) })
    }

    @Test(arguments: [1, 2, 3])
    func mergingHalvesEqualsTheWhole(seed: Int) {
        // Enough rows that one half's histogram turns dense while the other may stay sparse.
        let rows = Self.rows(seed: UInt64(seed), count: 9000 + seed * 500)
        let split = rows.count / 3
        var merged = Self.aggregate(rows[..<split])
        merged.merge(Self.aggregate(rows[split...]), .all)
        let whole = Self.metrics(Self.aggregate(rows[...]))
        let fromMerge = Self.metrics(merged)
        for (name, value) in whole {
            expectClose(fromMerge[name] ?? nil, value, relative: 1e-12, name)
        }
    }
}
