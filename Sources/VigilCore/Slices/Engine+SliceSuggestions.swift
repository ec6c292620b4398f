extension Engine {
    /// Slices worth monitoring: at least `minShare` of the predictions of whole days in `[from, to)`, with
    /// `minSize` events of the metric, whose daily metric varies beyond chance (see ``SliceSuggestions``).
    /// Read from the daily slice counts, so the cost depends on the days and slices, not the predictions.
    public func sliceSuggestions(
        model name: String, metric: SliceMetric, from: Timestamp, to: Timestamp, minShare: Double = 0.05,
        minSize: Int64 = 30, fdr: Double = 0.05, limit: Int = 20
    ) throws(QueryError) -> SliceSuggestions {
        let m = try modelId(known: name)
        try requireSliceMetric(metric, model: m)
        guard from <= to else { throw QueryError(.invalidWindow, "window starts after it ends") }
        let (first, last) = wholeDays(from: from, to: to)
        let day = Resolution.day.milliseconds
        let daily = dailySliceCounts(m, days: first..<last)
        let total = daily[.total]?.values.reduce(0) { $0 + $1.predictions } ?? 0
        let columns = models[m].slices
        var candidates: [SliceSuggestions.Suggestion] = []
        for (key, days) in daily where key != .total && total > 0 {
            let sorted = days.sorted { $0.key < $1.key }
            let predictions = sorted.reduce(0) { $0 + $1.value.predictions }
            let outcomes = sorted.map { (day: $0.key, counts: metric.outcomes($0.value)) }
            let good = outcomes.reduce(0) { $0 + $1.counts.good }
            let n = outcomes.reduce(0) { $0 + $1.counts.n }
            let share = Double(predictions) / Double(total)
            guard share >= minShare, n >= Swift.max(1, minSize),
                let test = SliceSuggestions.homogeneity(outcomes.map(\.counts))
            else { continue }
            let conditions = key.terms.map { columns.condition(column: $0.column, code: $0.code) }
            let dispersion = test.chi2 / Double(test.dof)
            candidates.append(
                SliceSuggestions.Suggestion(
                    slice: conditions.map(\.description).joined(separator: " & "), conditions: conditions,
                    predictions: predictions, share: share, metric: .proportion(good, of: n),
                    daily: outcomes.filter { $0.counts.n > 0 }.map {
                        SliceSuggestions.Day(
                            day: Timestamp(milliseconds: $0.day * day),
                            value: Double($0.counts.good) / Double($0.counts.n), n: $0.counts.n)
                    }, chi2: test.chi2, dof: test.dof, dispersion: dispersion, pValue: test.p, qValue: 1,
                    volatile: false, score: share * Swift.max(0, dispersion - 1)))
        }
        return SliceSuggestions(
            model: name, metric: metric, from: Timestamp(milliseconds: first * day),
            to: Timestamp(milliseconds: last * day), minShare: minShare, fdr: fdr, tested: candidates.count,
            suggestions: Array(SliceSuggestions.ranked(candidates, fdr: fdr).prefix(Swift.max(0, limit))))
    }

    /// The whole days inside `[from, to)` that can hold events (none before any event), as day numbers.
    private func wholeDays(from: Timestamp, to: Timestamp) -> (first: Int64, last: Int64) {
        guard let data = dataDays else { return (0, 0) }
        let day = Resolution.day.milliseconds
        let a = Swift.max(from.milliseconds, data.from.milliseconds)
        let b = Swift.min(to.milliseconds, data.to.milliseconds)
        let first = (a + day - 1).floorDivided(by: day).0
        return (first, Swift.max(first, b.floorDivided(by: day).0))
    }

    /// A model's slice counts by slice and then by day, merged over shards, for the days in `days`.
    func dailySliceCounts(_ m: Int, days: Range<Int64>) -> [SliceKey: [Int64: SliceCounts]] {
        var out: [SliceKey: [Int64: SliceCounts]] = [:]
        for shard in shards where m < shard.slices.count {
            for (d, cells) in shard.slices[m].days where days.contains(d) {
                for (key, c) in cells { out[key, default: [:]][d, default: SliceCounts()].merge(c) }
            }
        }
        return out
    }
}
