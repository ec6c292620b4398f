/// A Misra–Gries frequent-items summary: at most ``capacity`` counters of category → count.
///
/// When the counters are full and a new category arrives, the median counter value is subtracted from
/// every counter and the non-positive ones are dropped (the batched decrement of Apache DataSketches'
/// frequent-items sketch), so an update costs O(log capacity) amortised. Every kept count is a lower
/// bound, and a category's true count exceeds its kept count (0 if absent) by at most ``maxError``, the sum
/// of the subtracted amounts, which is ≤ `2·total/capacity`. Merging adds the counters and purges the
/// same way (Agarwal et al., PODS 2012), which keeps the bound for the merged stream.
struct FrequentItems: Sendable, Hashable, Codable {
    static let capacity = 1024

    private(set) var counters: [String: Int64] = [:]
    /// Occurrences added (kept or not).
    private(set) var total: Int64 = 0
    /// The largest amount by which a kept or dropped count may be undercounted.
    private(set) var maxError: Int64 = 0

    mutating func add(_ item: String, _ n: Int64 = 1) {
        total += n
        if counters[item] == nil && counters.count >= Self.capacity { purge() }
        counters[item, default: 0] += n
    }

    mutating func merge(_ o: FrequentItems) {
        total += o.total
        maxError += o.maxError
        for (k, v) in o.counters { counters[k, default: 0] += v }
        while counters.count > Self.capacity { purge() }
    }

    /// Subtracts the median counter value from every counter and drops those left at zero or below.
    private mutating func purge() {
        let values = counters.values.sorted()
        let cut = values[values.count / 2]
        maxError += cut
        counters = counters.filter { $0.value > cut }.mapValues { $0 - cut }
    }

    var allocatedBytes: Int { counters.capacity * 32 }
}
