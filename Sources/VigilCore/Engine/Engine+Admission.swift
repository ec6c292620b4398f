/// Admission: every check that decides whether an event is accepted, made before the engine changes.
///
/// A rejected row must leave no trace — replaying the log (which holds accepted rows only) has to rebuild
/// exactly the live engine — so ingestion first *plans* what a row would create (a model, a version,
/// segment series, classes) against the limits, and only then applies the plan.
extension Engine {
    /// Series at most, over all models: with the per-model limits this bounds the buckets' memory.
    static let maxSeries = 200_000
    /// Feature names past ``EngineConfiguration/maxProfileColumns`` that a model remembers (the rest are counted).
    static let maxUntrackedColumnNames = 100

    /// What a new prediction would add to the engine, decided before anything is added.
    struct Admission {
        /// The model's id, or `nil` if the row creates it.
        var model: Int?
        var task: ModelTask
        /// Segments with values past the per-key limit replaced by `__other__`.
        var segments: [String: String]
        /// Whether a value was folded into `__other__`.
        var folded = false
        /// The slice set's id if it exists already.
        var sliceSet: UInt32?
    }

    // MARK: - Rows

    /// Checks the row's own fields: ids, names and their lengths, the event time, the feature count.
    func checkRow(_ p: Prediction) throws(EventError) {
        let limits = configuration.limits
        guard !p.id.isEmpty else { throw EventError(.missingField, field: "id", "prediction id is empty") }
        try Self.checkLength(p.id, field: "id", max: limits.maxIdBytes)
        try Self.checkNoNul(p.id)
        guard !p.model.isEmpty else { throw EventError(.missingField, field: "model", "model name is empty") }
        try Self.checkTime(p.time)
        guard p.features.count <= limits.maxFeaturesPerRow else {
            throw EventError(
                .limitExceeded, field: "features",
                "\(p.features.count) features in one row; at most \(limits.maxFeaturesPerRow) are accepted")
        }
        for (name, value) in p.features {
            try Self.checkLength(name, field: "features", max: limits.maxNameBytes, what: "feature name")
            if case .string(let s) = value {
                try Self.checkLength(s, field: "features.\(Self.clipped(name))", max: limits.maxStringValueBytes)
            }
        }
        if case .category(let c)? = p.prediction {
            try Self.checkLength(c, field: "prediction", max: limits.maxNameBytes)
        }
    }

    /// Checks a feedback row's fields; a label older than the label horizon behind the newest event can join
    /// nothing (its prediction is gone) and is refused.
    func checkRow(_ f: Feedback) throws(EventError) {
        let limits = configuration.limits
        guard !f.id.isEmpty else { throw EventError(.missingField, field: "id", "feedback id is empty") }
        try Self.checkLength(f.id, field: "id", max: limits.maxIdBytes)
        try Self.checkNoNul(f.id)
        try Self.checkTime(f.time)
        switch f.label {
        case .number(let v) where !v.isFinite:
            throw EventError(.invalidValue, field: "label", "label must be finite, got \(v)")
        case .category(let c): try Self.checkLength(c, field: "label", max: limits.maxStringValueBytes)
        case .number: break
        }
        let horizon =
            watermarkMilliseconds == .min ? Int64.min : watermarkMilliseconds - configuration.labelHorizon.milliseconds
        guard f.time.milliseconds >= horizon else {
            throw EventError(
                .labelPastHorizon, field: "ts",
                "ts \(f.time.iso8601) is more than the label horizon (\(configuration.labelHorizon)) before the newest event \(Timestamp(milliseconds: watermarkMilliseconds).iso8601): its prediction has been evicted"
            )
        }
    }

    /// U+0000 separates an id from its shadow slot in the join (``Engine/shadowKey(_:_:)``), so ids may not hold it.
    static func checkNoNul(_ id: String) throws(EventError) {
        guard !id.utf8.contains(0) else {
            throw EventError(.invalidName, field: "id", "id '\(clipped(id))' contains the character U+0000")
        }
    }

    static func checkTime(_ time: Timestamp) throws(EventError) {
        guard time.milliseconds >= 0 else {
            throw EventError(
                .timestampBeforeEpoch, field: "ts", "ts \(time.iso8601) is before 1970-01-01T00:00:00Z")
        }
    }

    // MARK: - What a prediction creates

    /// Decides a prediction's model, task, segments and slice set against the limits, changing nothing.
    func admit(_ p: Prediction) throws(EventError) -> Admission {
        let limits = configuration.limits
        let known = knownModelId(p.model)
        if known == nil {
            try checkName(p.model, field: "model")
            guard modelIndex.count < limits.maxModels else {
                throw EventError(
                    .limitExceeded, field: "model",
                    "model '\(Self.clipped(p.model))' would be model \(modelIndex.count + 1); at most \(limits.maxModels) models are kept"
                )
            }
        }
        let task = known.flatMap { models[$0].task } ?? ModelTask.inferred(from: p)
        var admission = Admission(model: known, task: task, segments: p.segments)
        let version = p.shadow ? Self.shadowSeriesVersion(p.version) : p.version
        if let m = known, p.segments.isEmpty, let last = lastSlice, last.model == m, last.version == version {
            admission.sliceSet = last.id
            return admission
        }
        try admitSegments(&admission, model: known)
        if let m = known {
            admission.sliceSet = sliceSetIndex[SliceSetKey(model: m, version: version, segments: admission.segments)]
        }
        if admission.sliceSet == nil { try admitNewSliceSet(admission, version: p.version, shadow: p.shadow) }
        return admission
    }

    /// Folds segment values past the per-key limit into `__other__`; refuses keys past the per-model limit.
    private func admitSegments(_ admission: inout Admission, model known: Int?) throws(EventError) {
        let limits = configuration.limits
        let seen = known.map { models[$0].segmentValues } ?? [:]
        var newKeys = 0
        for (key, value) in admission.segments {
            guard let values = seen[key] else {
                try checkName(key, field: "segment")
                try checkName(value, field: "segment.\(Self.clipped(key))")
                newKeys += 1
                guard seen.count + newKeys <= limits.maxSegmentKeysPerModel else {
                    throw EventError(
                        .limitExceeded, field: "segment.\(Self.clipped(key))",
                        "model '\(Self.clipped(admission.model.map { models[$0].name } ?? ""))' already has \(seen.count) segment keys; at most \(limits.maxSegmentKeysPerModel) are kept"
                    )
                }
                continue
            }
            guard !values.contains(value) else { continue }
            try checkName(value, field: "segment.\(Self.clipped(key))")
            // Once folding starts the set holds `__other__` too, so it stays past the limit.
            if values.count >= limits.maxSegmentValuesPerKey {
                admission.segments[key] = EngineLimits.otherSegmentValue
                admission.folded = true
            }
        }
    }

    /// Checks that a new slice set's version and series fit the limits.
    private func admitNewSliceSet(_ admission: Admission, version: String, shadow: Bool) throws(EventError) {
        let limits = configuration.limits
        let versions = admission.model.map { shadow ? models[$0].shadowVersions : models[$0].versions } ?? []
        let limit = shadow ? limits.maxShadowVersionsPerModel : limits.maxVersionsPerModel
        if !versions.contains(version) {
            if !version.isEmpty { try checkName(version, field: "version") }
            guard versions.count < limit else {
                throw EventError(
                    .limitExceeded, field: "version",
                    "\(shadow ? "shadow " : "")version '\(Self.clipped(version))' would be \(shadow ? "shadow " : "")version \(versions.count + 1) of its model; at most \(limit) are kept"
                )
            }
        }
        guard seriesKeys.count + admission.segments.count + 1 <= Self.maxSeries else {
            throw EventError(
                .limitExceeded, field: admission.segments.isEmpty ? "version" : "segment",
                "the engine holds \(seriesKeys.count) series; at most \(Self.maxSeries) are kept")
        }
    }

    /// The model's id if it exists, without creating it.
    func knownModelId(_ name: String) -> Int? {
        if let last = lastModel, last.name == name { return last.id }
        return modelIndex[name]
    }

    // MARK: - Text

    /// Refuses a name that is too long or holds control characters (they break logs, headers and pages).
    func checkName(_ s: String, field: String) throws(EventError) {
        try Self.checkLength(s, field: field, max: configuration.limits.maxNameBytes)
        for u in s.unicodeScalars where u.value < 0x20 || (0x7F...0x9F).contains(u.value) {
            throw EventError(
                .invalidName, field: field,
                "\(field) '\(Self.clipped(s))' contains the control character U+\(String(u.value, radix: 16, uppercase: true).leftPadded(4))"
            )
        }
    }

    /// `field` is built only for the error: a feature's field name would cost an allocation per value.
    static func checkLength(
        _ s: String, field: @autoclosure () -> String, max: Int, what: String? = nil
    ) throws(EventError) {
        let n = s.utf8.count
        guard n <= max else {
            let field = field()
            throw EventError(
                .tooLong, field: field, "\(what ?? field) is \(n) bytes ('\(clipped(s))…'); at most \(max) are accepted"
            )
        }
    }

    /// Names for an error message: the first ten, clipped, and how many more there are.
    static func listed(_ names: [String], max: Int = 10) -> String {
        guard !names.isEmpty else { return "none" }
        let shown = names.prefix(max).map { clipped($0) }.joined(separator: ", ")
        return names.count > max ? "\(shown) and \(names.count - max) more" : shown
    }

    /// The start of `s`, short enough to echo in an error message.
    static func clipped(_ s: String, to length: Int = 64) -> String {
        s.count <= length ? s : String(s.prefix(length))
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
