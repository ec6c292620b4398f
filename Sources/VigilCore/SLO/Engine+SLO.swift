extension Engine {
    /// The status of `slo` at `t`, from the buckets as they stand (all feedback ingested so far).
    ///
    /// A model or version with no predictions yet has no samples: the verdict is `insufficient_data`, not an error.
    public func evaluate(_ slo: SLODefinition, at t: Timestamp, inputs: SLIInputs = SLIInputs()) throws(QueryError)
        -> SLOStatus
    {
        let reads = !slo.sli.readsNoBuckets
        return try SLOEvaluator(slo).evaluate(at: t, resolution: { reads ? bucketResolution(at: $0) : nil }) {
            (from, to) throws(QueryError) -> SLISample in
            do throws(QueryError) {
                return try sample(slo, from: from, to: to, now: t, inputs: inputs)
            } catch {
                guard error.code == .unknownModel || error.code == .unknownVersion else { throw error }
                return SLISample(value: nil, n: 0)
            }
        }
    }
}
