extension Engine {
    /// The compact form of a prediction's output, as the join stores it.
    struct EncodedPrediction {
        var prediction: Double
        var score: Double?
        var classScores: [(Int, Double)] = []

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
        var classes = ClassPlan(admission.model.map { models[$0] }, limit: configuration.limits.maxClassesPerModel)
        let encoded = try encode(p, task: admission.task, classes: &classes)
        if p.shadow { return try ingestShadow(p, admission, encoded, classes) }
        let time = p.time.milliseconds
        let hash = join.hash(p.id)
        if let existing = join.find(p.id, hash: hash) {
            return try resolveRepeat(existing, time: time, encoded, admission.sliceSet)
        }
        let (ref, m) = store(p, key: p.id, hash: hash, admission, encoded, classes, served: true)
        if hasShadowPredictions { pairWithShadows(primary: ref, id: p.id) }
        if !orphans.isEmpty, let held = orphans.take(p.id) {
            statisticsStore.orphansMatched += 1
            if let label = try? encodeLabel(held.label, model: m) {
                _ = applyLabel(ref, label, arrival: held.time)
                if hasShadowPredictions { relabelShadows(p.id, held.label, arrival: held.time) }
            } else {
                statisticsStore.orphansInvalid += 1
            }
        }
        advanceWatermark(time)
        return .stored
    }

    /// Stores an admitted prediction under `key` in the join and counts it in its buckets and profiles. A
    /// shadow (`served` false) does not count in the model's predictions nor move its first and last events.
    mutating func store(
        _ p: Prediction, key: String, hash: UInt64, _ admission: Admission, _ encoded: EncodedPrediction,
        _ classes: ClassPlan, served: Bool
    ) -> (JoinIndex.Ref, model: Int) {
        let time = p.time.milliseconds
        let m = admission.model ?? modelId(p.model)
        if models[m].task == nil { models[m].task = admission.task }
        classes.apply(to: &models[m])
        let version = served ? p.version : Self.shadowSeriesVersion(p.version)
        let set = admission.sliceSet ?? sliceSetId(model: m, version: version, segments: admission.segments)
        if admission.folded { statisticsStore.segmentValuesFolded += 1 }
        let task = admission.task
        let offset = task == .multiclass ? join.appendClassScores(encoded.classScores, forChunkAccepting: time) : 0
        let (value, flags) = encoded.record(task, classScoresOffset: offset)
        let ref = join.insert(id: key, hash: hash, time: time, value: value, sliceSet: set, flags: flags)
        let expected =
            task == .binary
            ? encoded.score.map { ExpectedConfusion.Row(score: $0, positive: encoded.prediction >= 0.5) } : nil
        updateBuckets(set, time) {
            $0.count += 1
            if let expected { $0.expected.all.add(expected, 1) }
        }
        if configuration.profiles { recordProfile(p, encoded, set: set, model: m, time: time) }
        if models[m].hasCustomMetrics {
            if !models[m].custom.retainedFeatures.isEmpty {
                retainedFeatures[ref.raw] = p.features.filter { models[m].custom.retainedFeatures.contains($0.key) }
            }
            applyCustom(ref, model: m, old: nil, new: nil, features: p.features, arriving: true)
        }
        if served {
            models[m].predictions += 1
            models[m].firstEvent = min(models[m].firstEvent ?? time, time)
            models[m].lastEvent = max(models[m].lastEvent ?? time, time)
        }
        statisticsStore.predictionsAccepted += 1
        return (ref, m)
    }

    /// A repeated id: a duplicate if everything matches (a slice set that does not exist yet cannot match).
    /// Repeats are not logged, so they change nothing but traffic counters.
    mutating func resolveRepeat(
        _ ref: JoinIndex.Ref, time: Int64, _ e: EncodedPrediction, _ set: UInt32?
    ) throws(EventError) -> IngestOutcome {
        let entry = join.entry(ref)
        let m = sliceModels[Int(entry.sliceSet)]
        let task = models[m].task ?? .binary
        var same = entry.time == time && entry.prediction(task) == e.prediction && entry.sliceSet == set
        if task == .multiclass {
            same = same && e.classScores.allSatisfy { join.classScore(ref, ofClass: $0.0) == $0.1 }
        } else if let s = e.score {
            same = same && entry.value == s
        }
        guard same else {
            statisticsStore.conflictingPredictions += 1
            throw EventError(
                .conflict, field: "id",
                "a different prediction with id '\(join.chunks[ref.chunk].ids[ref.slot])' was already accepted; ids must be unique"
            )
        }
        statisticsStore.duplicatePredictions += 1
        return .duplicate
    }

    /// Validates the output against the model's task; new class names go into `classes`, not the model.
    private func encode(_ p: Prediction, task: ModelTask, classes: inout ClassPlan) throws(EventError)
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
                    scores.append((try classes.id(c.name, field: "score"), c.probability))
                }
            case .probability?:
                throw EventError(
                    .taskMismatch, field: "score",
                    "model '\(p.model)' is multiclass: score must be a map of class → probability")
            case nil: break
            }
            let prediction: Int
            if let o = p.prediction {
                prediction = try classes.id(o.className, field: "prediction")
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
