/// Shadow predictions: a version that scores the same inputs as the served one, sent with `shadow: true`
/// and the served prediction's `id`.
///
/// A shadow comes after its served prediction (one without is refused: `missing_primary`). It is stored in
/// the join under ``shadowKey(_:_:)`` — the id, U+0000 and a slot number — so the served prediction keeps the
/// id itself, and its series under ``shadowSeriesVersion(_:)``, which no query over all versions reads:
/// shadows never count in the served versions' metrics or SLOs. Every label for the id, arriving before,
/// between or after the two predictions, is applied to the served prediction and to each shadow, and each
/// (served, shadow) pair adds its ``PairedCounts`` to the hour of the served prediction.
extension Engine {
    /// Shadow predictions one id may have (one per shadow version). Default 4.
    public static let maxShadowsPerId = 4

    /// The join key of the `slot`-th shadow prediction of `id`.
    static func shadowKey(_ id: String, _ slot: Int) -> String { id + "\u{0}" + String(slot) }

    /// The version under which a shadow version's series are kept: control characters cannot start a
    /// version sent by a client, so it never meets a served one.
    public static func shadowSeriesVersion(_ version: String) -> String { "\u{1}" + version }

    /// The shadow version a series version stands for, or `nil` for a served version.
    static func servedVersion(ofShadow seriesVersion: String) -> String? {
        seriesVersion.hasPrefix("\u{1}") ? String(seriesVersion.dropFirst()) : nil
    }

    mutating func ingestShadow(
        _ p: Prediction, _ admission: Admission, _ encoded: EncodedPrediction, _ classes: ClassPlan, shard k: Int
    ) throws(EventError) -> IngestOutcome {
        if ownsPart { return ingestOwnedPartShadow(p, admission, encoded, classes, shard: k) }
        let time = p.time.milliseconds
        let slot = try onShard(k) { (shard, engine) throws(EventError) in
            try shard.shadowSlot(p, admission, encoded, engine)
        }
        guard let slot else { return .duplicate }
        let (set, m, _) = intern(p, admission, encoded, classes, served: false)
        hasShadowPredictions = true
        onShard(k) { shard, engine in
            shard.storeShadow(p, slot: slot, set: set, model: m, encoded, folded: admission.folded, engine)
        }
        advanceWatermark(time)
        return .stored
    }

    /// A shadow in an engine that owns part of its shards: interned whatever its shard does (see ``own(_:)``).
    private mutating func ingestOwnedPartShadow(
        _ p: Prediction, _ admission: Admission, _ encoded: EncodedPrediction, _ classes: ClassPlan, shard k: Int
    ) -> IngestOutcome {
        let (set, m, _) = intern(p, admission, encoded, classes, served: false)
        hasShadowPredictions = true
        var outcome = IngestOutcome.accepted
        if owns(k) {
            outcome = onShard(k) { shard, engine in
                do throws(EventError) {
                    guard let slot = try shard.shadowSlot(p, admission, encoded, engine) else { return .duplicate }
                    shard.storeShadow(p, slot: slot, set: set, model: m, encoded, folded: admission.folded, engine)
                    return .stored
                } catch {
                    return .accepted
                }
            }
        }
        advanceWatermark(p.time.milliseconds)
        return outcome
    }
}

extension EngineShard {
    /// Stores a shadow in its free slot, gives it the served prediction's label and pairs them.
    mutating func storeShadow(
        _ p: Prediction, slot: Int, set: UInt32, model m: Int, _ encoded: Engine.EncodedPrediction, folded: Bool,
        _ engine: Engine
    ) {
        let key = Engine.shadowKey(p.id, slot)
        let ref = store(p, key: key, hash: join.hash(key), set: set, model: m, encoded, served: false, engine)
        if folded { statistics.segmentValuesFolded += 1 }
        // The label in effect for the id is the served prediction's (which took any label waiting for it).
        guard let primary = join.find(p.id) else { return }
        let served = join.entry(primary)
        if served.isLabeled { _ = applyLabel(ref, served.label, arrival: served.labelTime, engine) }
        addPair(primary: primary, shadow: ref, 1, engine)
    }

    /// The shadows of `id` in the join, in slot order.
    func shadowRefs(_ id: String) -> [JoinIndex.Ref] {
        (0..<Engine.maxShadowsPerId).compactMap { join.find(Engine.shadowKey(id, $0)) }
    }

    /// The free slot for a new shadow of `p`, `nil` for a duplicate of a shadow already stored, or an error:
    /// no served prediction with the id, one of another model, a different repeat, or no free slot.
    mutating func shadowSlot(
        _ p: Prediction, _ admission: Engine.Admission, _ encoded: Engine.EncodedPrediction, _ engine: Engine
    )
        throws(EventError) -> Int?
    {
        let time = p.time.milliseconds
        guard let primary = join.find(p.id),
            !engine.models[engine.sliceModels[Int(join.entry(primary).sliceSet)]].removed
        else {
            throw EventError(
                .missingPrimary, field: "id",
                "no served prediction has id '\(Engine.clipped(p.id))': a shadow prediction carries the id of the served prediction for the same input, sent before it"
            )
        }
        if engine.sliceModels[Int(join.entry(primary).sliceSet)] != admission.model {
            throw EventError(
                .conflict, field: "model",
                "id '\(Engine.clipped(p.id))' is a prediction of another model; a shadow scores the same input as its served prediction"
            )
        }
        var freeSlot: Int?
        for slot in 0..<Engine.maxShadowsPerId {
            guard let ref = join.find(Engine.shadowKey(p.id, slot)) else {
                if freeSlot == nil { freeSlot = slot }
                continue
            }
            let set = Int(join.entry(ref).sliceSet)
            if engine.sliceModels[set] == admission.model,
                engine.seriesKeys[engine.sliceBaseSeries[set]].version == Engine.shadowSeriesVersion(p.version)
            {
                _ = try resolveRepeat(ref, time: time, encoded, admission.sliceSet, engine)
                return nil
            }
        }
        guard let slot = freeSlot else {
            throw EventError(
                .limitExceeded, field: "shadow",
                "id '\(Engine.clipped(p.id))' already has \(Engine.maxShadowsPerId) shadow predictions; at most \(Engine.maxShadowsPerId) are kept"
            )
        }
        return slot
    }

    /// A served prediction just stored: pair it with the shadows that came first.
    mutating func pairWithShadows(primary: JoinIndex.Ref, id: String, _ engine: Engine) {
        let m = engine.sliceModels[Int(join.entry(primary).sliceSet)]
        for shadow in shadowRefs(id) where engine.sliceModels[Int(join.entry(shadow).sliceSet)] == m {
            addPair(primary: primary, shadow: shadow, 1, engine)
        }
    }

    /// Applies a label of `id` to each of its shadows, moving each pair's counts from the old label to the new.
    mutating func relabelShadows(_ id: String, _ label: Outcome, arrival: Int64, _ engine: Engine) {
        let primary = join.find(id)
        for shadow in shadowRefs(id) {
            let m = engine.sliceModels[Int(join.entry(shadow).sliceSet)]
            guard !engine.models[m].removed, let encoded = try? engine.encodeLabel(label, model: m) else { continue }
            let paired = primary.flatMap { engine.sliceModels[Int(join.entry($0).sliceSet)] == m ? $0 : nil }
            if let paired { addPair(primary: paired, shadow: shadow, -1, engine) }
            _ = applyLabel(shadow, encoded, arrival: arrival, engine)
            if let paired { addPair(primary: paired, shadow: shadow, 1, engine) }
        }
    }

    /// Adds (`sign` 1) or takes back (−1) a pair's counts, labeled with the shadow's label in effect (the same
    /// label as the served prediction's once both have it).
    mutating func addPair(primary: JoinIndex.Ref, shadow: JoinIndex.Ref, _ sign: Int64, _ engine: Engine) {
        let (p, s) = (join.entry(primary), join.entry(shadow))
        let m = engine.sliceModels[Int(p.sliceSet)]
        let task = engine.models[m].task ?? .binary
        let counts = PairedCounts(
            primary: p.prediction(task), shadow: s.prediction(task), label: s.isLabeled ? s.label : nil,
            regression: task == .regression)
        let key = ShadowPairKey(
            primary: engine.sliceBaseSeries[Int(p.sliceSet)], shadow: engine.sliceBaseSeries[Int(s.sliceSet)])
        let hour = p.time / Resolution.hour.milliseconds
        shadowPairs[key, default: [:]][hour, default: PairedCounts()].add(counts, sign)
    }
}
