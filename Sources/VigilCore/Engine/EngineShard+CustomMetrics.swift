extension EngineShard {
    /// Updates a model's custom accumulators for one row.
    ///
    /// - `arriving`: the prediction just arrived (unlabeled): add every accumulator's contribution.
    /// - otherwise its label went from `old` (`nil` = unlabeled) to `new`: for label-dependent
    ///   accumulators, subtract the old state's contribution and add the new one.
    mutating func applyCustom(
        _ ref: JoinIndex.Ref, model m: Int, old: Double?, new: Double?, features: [String: FeatureValue]?,
        arriving: Bool, _ engine: Engine
    ) {
        let registry = engine.models[m].custom
        let entry = join.entry(ref)
        let (set, time) = (entry.sliceSet, entry.time)
        let rowFeatures = features ?? retainedFeatures[ref.raw] ?? [:]
        var deltas: [(Int, Double, Int64)] = []
        if arriving {
            let context = rowContext(ref, model: m, label: nil, features: rowFeatures, engine)
            for i in registry.labelIndependent + registry.labelDependent {
                if let v = registry.accumulators[i].contribution(context) { deltas.append((i, v, 1)) }
            }
        } else {
            let before = rowContext(ref, model: m, label: old, features: rowFeatures, engine)
            let after = rowContext(ref, model: m, label: new, features: rowFeatures, engine)
            for i in registry.labelDependent {
                let spec = registry.accumulators[i]
                if let v = spec.contribution(before) { deltas.append((i, v, -1)) }
                if let v = spec.contribution(after) { deltas.append((i, v, 1)) }
            }
        }
        guard !deltas.isEmpty else { return }
        updateBuckets(set, time, engine) { aggregate in
            for (i, v, d) in deltas { aggregate.custom.apply(i, registry.accumulators[i], v, d) }
        }
    }

    /// What a row expression sees of a stored prediction with label `label` (`nil` = unlabeled).
    func rowContext(
        _ ref: JoinIndex.Ref, model m: Int, label: Double?, features: [String: FeatureValue], _ engine: Engine
    ) -> RowContext {
        let entry = join.entry(ref)
        let slice = engine.sliceSets[Int(entry.sliceSet)]
        let hasScore = entry.hasScore
        let model = engine.models[m]
        let prediction = entry.prediction(model.task ?? .regression)
        var context = RowContext(
            score: nil, prediction: .number(prediction), label: label.map(RowValue.number) ?? .null, labelScore: nil,
            features: features, segments: slice.segments, version: slice.version)
        switch model.task {
        case .binary?:
            if hasScore {
                let s = entry.value
                context.score = s
                context.labelScore = label.map { $0 >= 0.5 ? s : 1 - s }
            }
        case .multiclass?:
            context.classNames = model.classes
            context.classScores = model.classes.indices.map { join.classScore(ref, ofClass: $0) ?? .nan }
            context.prediction = .text(model.classes[Int(prediction)])
            if let label { context.label = .text(model.classes[Int(label)]) }
            if hasScore {
                context.score = join.classScore(ref, ofClass: Int(prediction))
                context.labelScore = label.flatMap { join.classScore(ref, ofClass: Int($0)) }
            }
        case .regression?, nil:
            break
        }
        return context
    }
}
