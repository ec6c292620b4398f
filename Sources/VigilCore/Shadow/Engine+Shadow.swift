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

    /// The shadows of `id` in the join, in slot order.
    func shadowRefs(_ id: String) -> [JoinIndex.Ref] {
        (0..<Self.maxShadowsPerId).compactMap { join.find(Self.shadowKey(id, $0)) }
    }

    mutating func ingestShadow(
        _ p: Prediction, _ admission: Admission, _ encoded: EncodedPrediction, _ classes: ClassPlan
    ) throws(EventError) -> IngestOutcome {
        let time = p.time.milliseconds
        guard let primary = join.find(p.id), !models[sliceModels[Int(join.entry(primary).sliceSet)]].removed else {
            throw EventError(
                .missingPrimary, field: "id",
                "no served prediction has id '\(Self.clipped(p.id))': a shadow prediction carries the id of the served prediction for the same input, sent before it")
        }
        if sliceModels[Int(join.entry(primary).sliceSet)] != admission.model {
            throw EventError(
                .conflict, field: "model",
                "id '\(Self.clipped(p.id))' is a prediction of another model; a shadow scores the same input as its served prediction")
        }
        var freeSlot: Int?
        for slot in 0..<Self.maxShadowsPerId {
            guard let ref = join.find(Self.shadowKey(p.id, slot)) else {
                if freeSlot == nil { freeSlot = slot }
                continue
            }
            let set = Int(join.entry(ref).sliceSet)
            if sliceModels[set] == admission.model, seriesKeys[sliceBaseSeries[set]].version == Self.shadowSeriesVersion(p.version) {
                return try resolveRepeat(ref, time: time, encoded, admission.sliceSet)
            }
        }
        guard let slot = freeSlot else {
            throw EventError(
                .limitExceeded, field: "shadow",
                "id '\(Self.clipped(p.id))' already has \(Self.maxShadowsPerId) shadow predictions; at most \(Self.maxShadowsPerId) are kept")
        }
        let key = Self.shadowKey(p.id, slot)
        let (ref, _) = store(p, key: key, hash: join.hash(key), admission, encoded, classes, served: false)
        hasShadowPredictions = true
        // The label in effect for the id is the served prediction's (which took any label waiting for it).
        let served = join.entry(primary)
        if served.isLabeled { _ = applyLabel(ref, served.label, arrival: served.labelTime) }
        addPair(primary: primary, shadow: ref, 1)
        advanceWatermark(time)
        return .stored
    }

    /// A served prediction just stored: pair it with the shadows that came first.
    mutating func pairWithShadows(primary: JoinIndex.Ref, id: String) {
        let m = sliceModels[Int(join.entry(primary).sliceSet)]
        for shadow in shadowRefs(id) where sliceModels[Int(join.entry(shadow).sliceSet)] == m {
            addPair(primary: primary, shadow: shadow, 1)
        }
    }

    /// Applies a label of `id` to each of its shadows, moving each pair's counts from the old label to the new.
    mutating func relabelShadows(_ id: String, _ label: Outcome, arrival: Int64) {
        let primary = join.find(id)
        for shadow in shadowRefs(id) {
            let m = sliceModels[Int(join.entry(shadow).sliceSet)]
            guard !models[m].removed, let encoded = try? encodeLabel(label, model: m) else { continue }
            let paired = primary.flatMap { sliceModels[Int(join.entry($0).sliceSet)] == m ? $0 : nil }
            if let paired { addPair(primary: paired, shadow: shadow, -1) }
            _ = applyLabel(shadow, encoded, arrival: arrival)
            if let paired { addPair(primary: paired, shadow: shadow, 1) }
        }
    }

    /// Adds (`sign` 1) or takes back (−1) a pair's counts, labeled with the shadow's label in effect (the same
    /// label as the served prediction's once both have it).
    mutating func addPair(primary: JoinIndex.Ref, shadow: JoinIndex.Ref, _ sign: Int64) {
        let (p, s) = (join.entry(primary), join.entry(shadow))
        let m = sliceModels[Int(p.sliceSet)]
        let task = models[m].task ?? .binary
        let counts = PairedCounts(
            primary: p.prediction(task), shadow: s.prediction(task), label: s.isLabeled ? s.label : nil,
            regression: task == .regression)
        let key = ShadowPairKey(primary: sliceBaseSeries[Int(p.sliceSet)], shadow: sliceBaseSeries[Int(s.sliceSet)])
        let hour = p.time / Resolution.hour.milliseconds
        shadowPairs[key, default: [:]][hour, default: PairedCounts()].add(counts, sign)
    }
}
