extension Engine {
    /// Ingests feedback: labels its prediction, corrects an earlier label, or waits as an orphan.
    ///
    /// For each id the label with the latest arrival time wins, whatever order rows are ingested in;
    /// a correction subtracts the old label's contribution from the prediction's buckets and adds the new one.
    /// Only `.duplicate` and `.stale` leave the engine unchanged (and need not be logged).
    @discardableResult
    public mutating func ingest(_ f: Feedback) throws(EventError) -> IngestOutcome {
        try checkRow(f)
        let hash = idHash(f.id)
        if ownsPart { return ingestOwnedPart(f, hash: hash, shard: shardIndex(ofHash: hash)) }
        let outcome = try onShard(shardIndex(ofHash: hash)) { (shard, engine) throws(EventError) in
            try shard.label(f, hash: hash, engine)
        }
        // The prediction's model was removed: the label changes nothing, the watermark included, since a
        // `stale` row is not logged and a replay would not see it.
        guard let outcome else { return .stale }
        advanceWatermark(f.time.milliseconds)
        return outcome
    }

    /// The label as the join stores it: 0/1, a class index, or the number.
    func encodeLabel(_ label: Outcome, model m: Int) throws(EventError) -> Double {
        switch models[m].task {
        case .binary?:
            guard let v = Self.binaryValue(label) else {
                throw EventError(
                    .invalidValue, field: "label",
                    "label must be 0 or 1 for binary model '\(models[m].name)', got '\(label)'")
            }
            return v
        case .multiclass?:
            guard let c = models[m].classIndex[label.className] else {
                throw EventError(
                    .invalidValue, field: "label",
                    "unknown class '\(Self.clipped(label.className))' for model '\(models[m].name)'; known: \(Self.listed(models[m].classes))"
                )
            }
            return Double(c)
        case .regression?, nil:
            switch label {
            case .number(let v): return v
            case .category(let s):
                guard let v = Double(s), v.isFinite else {
                    throw EventError(
                        .invalidValue, field: "label", "label must be a number for regression model '\(models[m].name)'"
                    )
                }
                return v
            }
        }
    }

    /// Whether label `a` (arriving at the same instant as `b`) wins the tie: a deterministic rule, so
    /// the result does not depend on ingestion order.
    static func winsTie(_ a: Outcome, over b: Outcome) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x > y
        default: return a.className > b.className
        }
    }

    func decodedLabel(_ value: Double, model m: Int) -> Outcome {
        models[m].task == .multiclass ? .category(models[m].classes[Int(value)]) : .number(value)
    }
}
