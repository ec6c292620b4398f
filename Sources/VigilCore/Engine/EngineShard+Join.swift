/// The join within a shard: storing predictions, resolving repeats, applying labels and waiting orphans.
extension EngineShard {
    /// Stores an interned prediction under `key` in the join and counts it in its buckets and profiles (its
    /// model, slice set and profile columns exist already). A shadow (`served` false) does not count in the model's
    /// predictions nor move its first and last events.
    mutating func store(
        _ p: Prediction, key: String, hash: UInt64, set: UInt32, model m: Int, _ encoded: Engine.EncodedPrediction,
        served: Bool, _ engine: Engine
    ) -> JoinIndex.Ref {
        let time = p.time.milliseconds
        // Read through `engine.models[m]` field by field: a copy of the model state would retain all of it.
        let task = engine.models[m].task ?? .binary
        let offset = task == .multiclass ? join.appendClassScores(encoded.classScores, forChunkAccepting: time) : 0
        let (value, flags) = encoded.record(task, classScoresOffset: offset)
        let ref = join.insert(id: key, hash: hash, time: time, value: value, sliceSet: set, flags: flags)
        let expected =
            task == .binary
            ? encoded.score.map { ExpectedConfusion.Row(score: $0, positive: encoded.prediction >= 0.5) } : nil
        updateBuckets(set, time, engine) {
            $0.count += 1
            if let expected { $0.expected.all.add(expected, 1) }
        }
        if engine.configuration.profiles { recordProfile(p, encoded, model: m, set: set, engine) }
        if engine.models[m].hasCustomMetrics {
            let retained = engine.models[m].custom.retainedFeatures
            if !retained.isEmpty { retainedFeatures[ref.raw] = p.features.filter { retained.contains($0.key) } }
            applyCustom(ref, model: m, old: nil, new: nil, features: p.features, arriving: true, engine)
        }
        if served { countServed(model: m, time: time) }
        if served, task != .regression, engine.configuration.profiles {
            countSlices(ref, codes: encoded.sliceCodes, model: m, time: time, engine)
        }
        statistics.predictionsAccepted += 1
        return ref
    }

    /// Counts a prediction's features and outputs in its version's hour and day profile buckets.
    private mutating func recordProfile(
        _ p: Prediction, _ encoded: Engine.EncodedPrediction, model m: Int, set: UInt32, _ engine: Engine
    ) {
        // Take the scratch row out (a plain copy would share its buffer and copy it on every write).
        var row = ProfileRow()
        swap(&row, &profileRow)
        defer { swap(&row, &profileRow) }
        row.fill(p, encoded, engine.models[m])
        let columnCount = engine.models[m].profileColumns.count
        let limits = engine.configuration.profileLimits
        let time = p.time.milliseconds
        let s = engine.sliceBaseSeries[Int(set)]
        if time >= engine.profileHourCutoff {
            let hour = time.floorDivided(by: Resolution.hour.milliseconds).0
            row.apply(
                to: &series[s].profiles.hours[hour, default: ProfileBucket()], columnCount: columnCount, limits: limits)
        }
        let day = time.floorDivided(by: Resolution.day.milliseconds).0
        row.apply(to: &series[s].profiles.days[day, default: ProfileBucket()], columnCount: columnCount, limits: limits)
    }

    /// A repeated id: a duplicate if everything matches (a slice set that does not exist yet cannot match).
    /// Repeats are not logged, so they change nothing but traffic counters.
    mutating func resolveRepeat(
        _ ref: JoinIndex.Ref, time: Int64, _ e: Engine.EncodedPrediction, _ set: UInt32?, _ engine: Engine
    ) throws(EventError) -> IngestOutcome {
        let entry = join.entry(ref)
        let m = engine.sliceModels[Int(entry.sliceSet)]
        let task = engine.models[m].task ?? .binary
        var same = entry.time == time && entry.prediction(task) == e.prediction && entry.sliceSet == set
        if task == .multiclass {
            same = same && e.classScores.allSatisfy { join.classScore(ref, ofClass: $0.0) == $0.1 }
        } else if let s = e.score {
            same = same && entry.value == s
        }
        guard same else {
            statistics.conflictingPredictions += 1
            throw EventError(
                .conflict, field: "id",
                "a different prediction with id '\(join.chunks[ref.chunk].ids[ref.slot])' was already accepted; ids must be unique"
            )
        }
        statistics.duplicatePredictions += 1
        return .duplicate
    }

    /// A served prediction just stored takes the label that was waiting for it, if any.
    mutating func joinWaitingOrphan(_ ref: JoinIndex.Ref, id: String, model m: Int, _ engine: Engine) {
        guard !orphans.isEmpty, let held = orphans.take(id) else { return }
        statistics.orphansMatched += 1
        guard let label = try? engine.encodeLabel(held.label, model: m) else {
            statistics.orphansInvalid += 1
            return
        }
        _ = applyLabel(ref, label, arrival: held.time, engine)
        if engine.hasShadowPredictions { relabelShadows(id, held.label, arrival: held.time, engine) }
    }

    /// Feedback for an id of this shard: labels its prediction, corrects an earlier label, or waits as an orphan.
    /// `nil` when the prediction's model was removed: then nothing changes.
    mutating func label(_ f: Feedback, hash: UInt64, _ engine: Engine) throws(EventError) -> IngestOutcome? {
        let time = f.time.milliseconds
        let outcome: IngestOutcome
        if let ref = join.find(f.id, hash: hash) {
            let m = engine.sliceModels[Int(join.entry(ref).sliceSet)]
            guard !engine.models[m].removed else { return nil }
            let label = try engine.encodeLabel(f.label, model: m)
            outcome = applyLabel(ref, label, arrival: time, engine)
            if engine.hasShadowPredictions { relabelShadows(f.id, f.label, arrival: time, engine) }
        } else {
            outcome = holdOrphan(f)
            // A shadow may have come before its served prediction: it takes the label now.
            if engine.hasShadowPredictions { relabelShadows(f.id, f.label, arrival: time, engine) }
        }
        statistics.feedbackAccepted += 1
        return outcome
    }

    private mutating func holdOrphan(_ f: Feedback) -> IngestOutcome {
        let (result, dropped) = orphans.hold(id: f.id, time: f.time.milliseconds, label: f.label)
        statistics.orphansDropped += dropped
        switch result {
        case .held:
            statistics.orphansHeld += 1
            return .orphaned
        case .duplicate:
            statistics.duplicateFeedback += 1
            return .duplicate
        case .stale:
            statistics.duplicateFeedback += 1
            return .stale
        case .corrected:
            statistics.corrections += 1
            return .corrected
        case .confirmed:
            statistics.duplicateFeedback += 1
            return .confirmed
        }
    }

    mutating func applyLabel(_ ref: JoinIndex.Ref, _ label: Double, arrival: Int64, _ engine: Engine) -> IngestOutcome {
        let entry = join.entry(ref)
        let m = engine.sliceModels[Int(entry.sliceSet)]
        let hasCustomMetrics = engine.models[m].hasCustomMetrics
        guard entry.isLabeled else {
            join.setLabel(ref, label, arrival: arrival)
            let row = labeledRow(entry, ref, label: label, model: m, engine)
            let lagKey = LagSketch.key(max(0, Double(arrival - entry.time) / 1000))
            updateBuckets(entry.sliceSet, entry.time, engine) {
                $0.apply(row, 1)
                $0.lag.add(key: lagKey)
            }
            countSliceLabel(ref, entry, label: label, model: m, 1, engine)
            if hasCustomMetrics {
                applyCustom(ref, model: m, old: nil, new: label, features: nil, arriving: false, engine)
            }
            statistics.labelsApplied += 1
            return .labeled
        }
        let old = entry.label
        if arrival < entry.labelTime
            || (arrival == entry.labelTime && old != label
                && !Engine.winsTie(engine.decodedLabel(label, model: m), over: engine.decodedLabel(old, model: m)))
        {
            statistics.duplicateFeedback += 1
            return .stale
        }
        // Label lag is measured to the label row in effect (the latest arrival), as the orphan store keeps
        // it, so the result does not depend on the order in which rows arrive.
        let oldLag = LagSketch.key(max(0, Double(entry.labelTime - entry.time) / 1000))
        let newLag = LagSketch.key(max(0, Double(arrival - entry.time) / 1000))
        guard old != label else {
            join.setLabel(ref, label, arrival: arrival)
            if oldLag != newLag {
                updateBuckets(entry.sliceSet, entry.time, engine) {
                    $0.lag.add(key: oldLag, -1)
                    $0.lag.add(key: newLag, 1)
                }
            }
            statistics.duplicateFeedback += 1
            return arrival == entry.labelTime ? .duplicate : .confirmed
        }
        join.setLabel(ref, label, arrival: arrival)
        let before = labeledRow(entry, ref, label: old, model: m, engine)
        let after = labeledRow(entry, ref, label: label, model: m, engine)
        updateBuckets(entry.sliceSet, entry.time, engine) {
            $0.apply(before, -1)
            $0.apply(after, 1)
            if oldLag != newLag {
                $0.lag.add(key: oldLag, -1)
                $0.lag.add(key: newLag, 1)
            }
        }
        countSliceLabel(ref, entry, label: old, model: m, -1, engine)
        countSliceLabel(ref, entry, label: label, model: m, 1, engine)
        if hasCustomMetrics {
            applyCustom(ref, model: m, old: old, new: label, features: nil, arriving: false, engine)
        }
        statistics.corrections += 1
        return .corrected
    }

    func labeledRow(_ entry: EntryRecord, _ ref: JoinIndex.Ref, label: Double, model m: Int, _ engine: Engine)
        -> LabeledRow
    {
        let task = engine.models[m].task ?? .regression
        let trueClassScore = task == .multiclass && entry.hasScore ? join.classScore(ref, ofClass: Int(label)) : nil
        return LabeledRow(
            task: task, score: entry.score(task), prediction: entry.prediction(task), label: label,
            trueClassScore: trueClassScore)
    }

    /// Evicts the entries older than `cutoff`, with the features kept for them.
    mutating func evictPastHorizon(_ cutoff: Int64) {
        var evicted = 0
        var neverLabeled = 0
        var retainedRefs: [UInt32] = []
        let keepsFeatures = !retainedFeatures.isEmpty
        join.evict(olderThan: cutoff) { ref, labeled in
            evicted += 1
            if !labeled { neverLabeled += 1 }
            if keepsFeatures { retainedRefs.append(ref.raw) }
        }
        for r in retainedRefs { retainedFeatures[r] = nil }
        statistics.evicted += evicted
        statistics.evictedNeverLabeled += neverLabeled
    }
}
