extension Engine {
    /// Ingests feedback: labels its prediction, corrects an earlier label, or waits as an orphan.
    ///
    /// For each id the label with the latest arrival time wins, whatever order rows are ingested in;
    /// a correction subtracts the old label's contribution from the prediction's buckets and adds the new one.
    /// Only `.duplicate` and `.stale` leave the engine unchanged (and need not be logged).
    @discardableResult
    public mutating func ingest(_ f: Feedback) throws(EventError) -> IngestOutcome {
        try checkRow(f)
        let time = f.time.milliseconds
        let outcome: IngestOutcome
        if let ref = join.find(f.id) {
            let m = sliceModels[Int(join.entry(ref).sliceSet)]
            // The prediction's model was removed: the label changes nothing (the watermark included, since a
            // `stale` row is not logged and a replay would not see it).
            guard !models[m].removed else { return .stale }
            let label = try encodeLabel(f.label, model: m)
            outcome = applyLabel(ref, label, arrival: time)
            if hasShadowPredictions { relabelShadows(f.id, f.label, arrival: time) }
        } else {
            let (result, dropped) = orphans.hold(id: f.id, time: time, label: f.label)
            statisticsStore.orphansDropped += dropped
            switch result {
            case .held:
                statisticsStore.orphansHeld += 1
                outcome = .orphaned
            case .duplicate:
                statisticsStore.duplicateFeedback += 1
                outcome = .duplicate
            case .stale:
                statisticsStore.duplicateFeedback += 1
                outcome = .stale
            case .corrected:
                statisticsStore.corrections += 1
                outcome = .corrected
            case .confirmed:
                statisticsStore.duplicateFeedback += 1
                outcome = .confirmed
            }
            // A shadow may have come before its served prediction: it takes the label now.
            if hasShadowPredictions { relabelShadows(f.id, f.label, arrival: time) }
        }
        statisticsStore.feedbackAccepted += 1
        advanceWatermark(time)
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

    mutating func applyLabel(_ ref: JoinIndex.Ref, _ label: Double, arrival: Int64) -> IngestOutcome {
        let entry = join.entry(ref)
        let m = sliceModels[Int(entry.sliceSet)]
        guard entry.isLabeled else {
            join.setLabel(ref, label, arrival: arrival)
            let row = labeledRow(entry, ref, label: label, model: m)
            let lagKey = LagSketch.key(max(0, Double(arrival - entry.time) / 1000))
            updateBuckets(entry.sliceSet, entry.time) {
                $0.apply(row, 1)
                $0.lag.add(key: lagKey)
            }
            if models[m].hasCustomMetrics {
                applyCustom(ref, model: m, old: nil, new: label, features: nil, arriving: false)
            }
            statisticsStore.labelsApplied += 1
            return .labeled
        }
        let old = entry.label
        if arrival < entry.labelTime
            || (arrival == entry.labelTime && old != label
                && !Self.winsTie(decodedLabel(label, model: m), over: decodedLabel(old, model: m)))
        {
            statisticsStore.duplicateFeedback += 1
            return .stale
        }
        // Label lag is measured to the label row in effect (the latest arrival), as the orphan store keeps
        // it, so the result does not depend on the order in which rows arrive.
        let oldLag = LagSketch.key(max(0, Double(entry.labelTime - entry.time) / 1000))
        let newLag = LagSketch.key(max(0, Double(arrival - entry.time) / 1000))
        guard old != label else {
            join.setLabel(ref, label, arrival: arrival)
            if oldLag != newLag {
                updateBuckets(entry.sliceSet, entry.time) {
                    $0.lag.add(key: oldLag, -1)
                    $0.lag.add(key: newLag, 1)
                }
            }
            statisticsStore.duplicateFeedback += 1
            return arrival == entry.labelTime ? .duplicate : .confirmed
        }
        join.setLabel(ref, label, arrival: arrival)
        let before = labeledRow(entry, ref, label: old, model: m)
        let after = labeledRow(entry, ref, label: label, model: m)
        updateBuckets(entry.sliceSet, entry.time) {
            $0.apply(before, -1)
            $0.apply(after, 1)
            if oldLag != newLag {
                $0.lag.add(key: oldLag, -1)
                $0.lag.add(key: newLag, 1)
            }
        }
        if models[m].hasCustomMetrics {
            applyCustom(ref, model: m, old: old, new: label, features: nil, arriving: false)
        }
        statisticsStore.corrections += 1
        return .corrected
    }

    func labeledRow(_ entry: EntryRecord, _ ref: JoinIndex.Ref, label: Double, model m: Int) -> LabeledRow {
        let task = models[m].task ?? .regression
        let trueClassScore = task == .multiclass && entry.hasScore ? join.classScore(ref, ofClass: Int(label)) : nil
        return LabeledRow(
            task: task, score: entry.score(task), prediction: entry.prediction(task), label: label,
            trueClassScore: trueClassScore)
    }
}
