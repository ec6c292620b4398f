extension Engine {
    /// The compact form of a prediction's output, as the join stores it.
    struct EncodedPrediction {
        var prediction: Double
        var score: Double?
        var classScores: [(Int, Double)] = []
        /// A served prediction's slice codes, found once before it is stored (see ``SliceColumns/codes(_:)``).
        var sliceCodes: UInt64 = 0

        /// The record's `value` and flags for this output (see ``EntryRecord``); multiclass needs the arena offset.
        func record(_ task: ModelTask, classScoresOffset: Int = 0) -> (Double, UInt8) {
            let scored: UInt8 = score != nil || !classScores.isEmpty ? EntryRecord.hasScoreFlag : 0
            switch task {
            case .binary: return (score ?? 0, scored | (prediction >= 0.5 ? EntryRecord.positiveFlag : 0))
            case .regression: return (prediction, 0)
            case .multiclass:
                return (EntryRecord.multiclassValue(offset: classScoresOffset, predictedClass: Int(prediction)), scored)
            }
        }
    }

    /// Ingests a prediction: stores it in the join, counts it in its buckets, and joins a waiting orphan label.
    ///
    /// Every check comes before any change: a rejected row leaves the engine exactly as it was.
    /// - Returns: `.stored`, or `.duplicate` for the same id and content again.
    /// - Throws: ``EventError`` naming the field: a missing id or model, a score outside [0, 1] or not finite,
    ///   a task mismatch, the same id with different content (`conflict`), a string past its length limit,
    ///   or a row that would grow the engine past one of its ``EngineLimits``.
    @discardableResult
    public mutating func ingest(_ p: Prediction) throws(EventError) -> IngestOutcome {
        try checkRow(p)
        let admission = try admit(p)
        var classes = ClassPlan(model: admission.model, limit: configuration.limits.maxClassesPerModel)
        var encoded = try encode(p, task: admission.task, classes: &classes)
        // A shadow carries its served prediction's id, so it lands in that prediction's shard.
        let hash = idHash(p.id)
        let k = shardIndex(ofHash: hash)
        if p.shadow { return try ingestShadow(p, admission, encoded, classes, shard: k) }
        if ownsPart { return ingestOwnedPart(p, admission, encoded, classes, hash: hash, shard: k) }
        let time = p.time.milliseconds
        if let existing = shards[k].join.find(p.id, hash: hash) {
            return try onShard(k) { (shard, engine) throws(EventError) in
                try shard.resolveRepeat(existing, time: time, encoded, admission.sliceSet, engine)
            }
        }
        let (set, m, sliceCodes) = intern(p, admission, encoded, classes, served: true)
        encoded.sliceCodes = sliceCodes
        onShard(k) { shard, engine in
            let ref = shard.store(p, key: p.id, hash: hash, set: set, model: m, encoded, served: true, engine)
            if admission.folded { shard.statistics.segmentValuesFolded += 1 }
            if engine.hasShadowPredictions { shard.pairWithShadows(primary: ref, id: p.id, engine) }
            shard.joinWaitingOrphan(ref, id: p.id, model: m, engine)
        }
        advanceWatermark(time)
        return .stored
    }

    /// Creates what an admitted prediction names and the engine does not know yet: its model, task, classes,
    /// slice set, profile columns and (served) slice columns and categories; `sliceCodes` are its slice codes.
    mutating func intern(
        _ p: Prediction, _ admission: Admission, _ encoded: EncodedPrediction, _ classes: ClassPlan, served: Bool
    )
        -> (set: UInt32, model: Int, sliceCodes: UInt64)
    {
        let m = admission.model ?? modelId(p.model)
        if models[m].task == nil { models[m].task = admission.task }
        classes.apply(to: &models[m])
        let version = served ? p.version : Self.shadowSeriesVersion(p.version)
        let set = admission.sliceSet ?? sliceSetId(model: m, version: version, segments: admission.segments)
        addProfileColumns(p, model: m)
        return (set, m, served ? internSliceCodes(p, model: m) : 0)
    }

    /// Validates the output against the model's task; new class names go into `classes`, not the model.
    func encode(_ p: Prediction, task: ModelTask, classes: inout ClassPlan) throws(EventError)
        -> EncodedPrediction
    {
        switch task {
        case .binary:
            var score: Double?
            switch p.score {
            case .probability(let s)?:
                guard s.isFinite, s >= 0, s <= 1 else {
                    throw EventError(.invalidValue, field: "score", "score must be a probability in [0, 1], got \(s)")
                }
                score = s
            case .classes?:
                throw EventError(
                    .taskMismatch, field: "score", "model '\(p.model)' is binary: score must be one probability")
            case nil: break
            }
            let prediction: Double
            switch p.prediction {
            case nil:
                guard let s = score else {
                    throw EventError(
                        .missingField, field: "prediction", "a binary prediction needs a score or a prediction")
                }
                prediction = s >= configuration.threshold ? 1 : 0
            case let o?:
                guard let v = Self.binaryValue(o) else {
                    throw EventError(.invalidValue, field: "prediction", "binary prediction must be 0 or 1, got '\(o)'")
                }
                prediction = v
            }
            return EncodedPrediction(prediction: prediction, score: score)
        case .multiclass:
            var scores: [(Int, Double)] = []
            switch p.score {
            case .classes(let list)?:
                for c in list {
                    guard c.probability.isFinite, c.probability >= 0, c.probability <= 1 else {
                        throw EventError(
                            .invalidValue, field: "score.\(c.name)",
                            "score must be a probability in [0, 1], got \(c.probability)")
                    }
                    scores.append((try classes.id(c.name, field: "score", in: models), c.probability))
                }
            case .probability?:
                throw EventError(
                    .taskMismatch, field: "score",
                    "model '\(p.model)' is multiclass: score must be a map of class → probability")
            case nil: break
            }
            let prediction: Int
            if let o = p.prediction {
                prediction = try classes.id(o.className, field: "prediction", in: models)
            } else if let best = scores.enumerated().max(by: {
                $0.element.1 < $1.element.1 || ($0.element.1 == $1.element.1 && $0.offset > $1.offset)
            }) {
                prediction = best.element.0
            } else {
                throw EventError(.missingField, field: "prediction", "a multiclass prediction needs a class or scores")
            }
            return EncodedPrediction(prediction: Double(prediction), score: nil, classScores: scores)
        case .regression:
            guard p.score == nil else {
                throw EventError(
                    .taskMismatch, field: "score", "model '\(p.model)' is a regression model: it takes no score")
            }
            guard case .number(let v)? = p.prediction else {
                throw EventError(
                    p.prediction == nil ? .missingField : .invalidValue, field: "prediction",
                    "a regression prediction must be a number")
            }
            guard v.isFinite else {
                throw EventError(.invalidValue, field: "prediction", "prediction must be finite, got \(v)")
            }
            return EncodedPrediction(prediction: v, score: nil)
        }
    }

    static func binaryValue(_ o: Outcome) -> Double? {
        switch o {
        case .number(let v) where v == 0 || v == 1: return v
        case .category(let s):
            switch s.lowercased() {
            case "1", "true", "yes": return 1
            case "0", "false", "no": return 0
            default: return nil
            }
        default: return nil
        }
    }
}
