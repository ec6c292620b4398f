/// The monitoring engine: joins predictions with late feedback and keeps mergeable aggregates in
/// minute, hour and day buckets per model × version × segment value.
///
/// The engine is a value type with no I/O and no clock: time comes from the events (their
/// newest event time is the engine's *watermark*, which drives eviction and retention) and from
/// query parameters.
///
/// ```swift
/// var engine = Engine()
/// try engine.ingest(Prediction(id: "p1", time: t0, model: "taxi-tip", version: "v1",
///                              score: .probability(0.8), prediction: .number(1)))
/// try engine.ingest(Feedback(id: "p1", time: t0 + .seconds(3600), label: .number(1)))
/// let report = try engine.metrics(model: "taxi-tip", names: ["accuracy", "recall"])
/// report["accuracy"]?.value  // 1.0
/// ```
public struct Engine: Sendable, Codable {
    public let configuration: EngineConfiguration
    /// The shards, by ``shardIndex(ofHash:)`` of event ids (see ``EngineShard``).
    var shards: [EngineShard]
    var models: [ModelState] = []
    var modelIndex: [String: Int] = [:]
    var seriesKeys: [SeriesKey] = []
    var seriesIndex: [SeriesKey: Int] = [:]
    var sliceSets: [SliceSet] = []
    /// Per slice set: its version's overall series, its segment series and its model, kept apart from
    /// `sliceSets` so the per-event path reads plain integers and retains nothing.
    var sliceBaseSeries: [Int] = []
    var sliceSegmentSeries: [[Int]] = []
    var sliceModels: [Int] = []
    var sliceSetIndex: [SliceSetKey: UInt32] = [:]
    /// The last model and unsegmented slice set looked up: consecutive events usually share them.
    var lastModel: (name: String, id: Int)?
    var lastSlice: (model: Int, version: String, id: UInt32)?
    /// The newest event time seen, in milliseconds.
    var watermarkMilliseconds = Int64.min
    var minuteCutoff = Int64.min
    var hourCutoff = Int64.min
    var maintainedHour = Int64.min
    var profileHourCutoff = Int64.min
    /// Set by the first shadow prediction: until then no label looks for shadows.
    var hasShadowPredictions = false
    /// Slice bin edges given for models not seen yet, by model name (see ``setSliceEdges(model:_:)``).
    var pendingSliceEdges: [String: [String: [Double]]] = [:]
    /// The runner of the batch being applied, which maintenance uses too (not part of the state).
    var activeRunner: ShardRunner?
    /// Which shards this engine applies, by index (`nil`: all); a node's, not part of a snapshot (see ``own(_:)``).
    var ownership: [Bool]?
    /// Whether the rows being ingested are decided here, as a lone server decides them, when this engine owns
    /// every shard (see ``ownsPart``); not part of the state.
    public var decidesAlone = false

    // The last-lookup caches are rebuilt on use, so a snapshot leaves them out.
    private enum CodingKeys: String, CodingKey {
        case configuration, shards, models, modelIndex, seriesKeys, seriesIndex, sliceSets
        case sliceBaseSeries, sliceSegmentSeries, sliceModels, sliceSetIndex
        case watermarkMilliseconds, minuteCutoff, hourCutoff, maintainedHour, profileHourCutoff
        case hasShadowPredictions, pendingSliceEdges
    }

    struct SliceSetKey: Hashable, Sendable, Codable {
        var model: Int
        var version: String
        var segments: [String: String]
    }

    public init(configuration: EngineConfiguration = EngineConfiguration()) {
        self.configuration = configuration
        let count = max(1, configuration.shards)
        self.shards = Array(repeating: EngineShard(configuration: configuration, of: count), count: count)
        // A retention of zero turns the level off: no event is at or after a cutoff of `.max`, and windows
        // resolve their edges to the next coarser level.
        if configuration.minuteRetention.milliseconds <= 0 { minuteCutoff = .max }
        if configuration.hourRetention.milliseconds <= 0 { hourCutoff = .max }
    }

    /// Counters of the join summed over the shards, with the current sizes of its bounded stores.
    public var statistics: JoinStatistics {
        shards.reduce(into: JoinStatistics()) { total, shard in
            var s = shard.statistics
            // A shard merged from another node carries its pending counts (its join stayed there).
            if !shard.imported {
                s.orphansPending = shard.orphans.count
                s.pendingPredictions = shard.join.count
            }
            total.add(s)
        }
    }

    /// The newest event time seen.
    public var watermark: Timestamp? {
        watermarkMilliseconds == .min ? nil : Timestamp(milliseconds: watermarkMilliseconds)
    }

    // MARK: - Models

    /// Checks that a model a definition or declaration names before its first prediction could be created:
    /// a valid name, and room under the model limit. A known model passes.
    private func admitNamedModel(_ name: String) throws(QueryError) {
        guard knownModelId(name) == nil else { return }
        do throws(EventError) {
            try checkName(name, field: "model")
        } catch {
            throw QueryError(.invalidDefinition, error.message)
        }
        guard modelIndex.count < configuration.limits.maxModels else {
            throw QueryError(
                .invalidDefinition,
                "model '\(Self.clipped(name))' would be model \(modelIndex.count + 1); at most \(configuration.limits.maxModels) models are kept"
            )
        }
    }

    /// Declares a model's task (and, for multiclass, its class order) before its first prediction.
    /// Undeclared models get the task their first prediction implies.
    public mutating func declare(model name: String, task: ModelTask, classes: [String] = []) throws(QueryError) {
        if let known = knownModelId(name), let existing = models[known].task, existing != task {
            throw QueryError(.taskConflict, "model '\(name)' is already \(existing.rawValue), not \(task.rawValue)")
        }
        try admitNamedModel(name)
        let m = modelId(name)
        models[m].task = task
        for c in classes { _ = models[m].classId(c) }
    }

    /// Defines a custom metric on a model, computed incrementally like the built-ins from the next event on.
    ///
    /// ```swift
    /// try engine.defineMetric("long_trip_recall", on: "taxi-tip",
    ///     "sum(prediction == 1 and label == 1 and features.trip_distance > 5) / sum(label == 1 and features.trip_distance > 5)")
    /// ```
    public mutating func defineMetric(_ name: String, on model: String, _ source: String) throws(QueryError) {
        // ASCII only: the name is also a Prometheus label value and a query parameter.
        guard name.utf8.count <= 128, name.first.map({ $0 == "_" || ($0.isASCII && $0.isLetter) }) == true,
            name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        else {
            throw QueryError(
                .invalidDefinition,
                "invalid metric name '\(Self.clipped(name))': use at most 128 ASCII letters, digits and _, not starting with a digit"
            )
        }
        let builtins = Set(ModelTask.allCases.flatMap { MetricCatalog.names(for: $0) })
        guard !builtins.contains(name) else {
            throw QueryError(.invalidDefinition, "'\(name)' is a built-in metric; choose another name")
        }
        let expression: MetricExpression
        do {
            expression = try MetricExpression(source)
        } catch {
            throw QueryError(.invalidDefinition, "metric '\(name)': \(error.description)")
        }
        // A definition may come before the model's first prediction; it then names a model, as a row does.
        try admitNamedModel(model)
        let m = modelId(model)
        models[m].custom.define(name, expression)
    }

    /// Removes a custom metric from a model. Its accumulators stay (other metrics may share them).
    public mutating func removeMetric(_ name: String, on model: String) throws(QueryError) {
        guard let m = modelIndex[model], models[m].custom.names.contains(name) else {
            throw QueryError(.unknownMetric, "model '\(model)' has no custom metric '\(name)'")
        }
        models[m].custom.remove(name)
    }

    /// The expression of a model's custom metric, as written.
    public func metricDefinition(_ name: String, on model: String) -> String? {
        guard let m = modelIndex[model] else { return nil }
        return models[m].custom.metrics[name]?.expression.source
    }

    /// The models seen so far.
    public var modelSummaries: [ModelSummary] { models.indices.filter { !models[$0].removed }.map(summary) }

    /// Removes a model: its series, profiles, versions, classes and custom metrics are dropped, and its name is
    /// free for a new model. Its predictions still waiting for labels stay in the join until the label
    /// horizon evicts them (so their ids stay taken until then); labels for them change nothing.
    public mutating func removeModel(_ name: String) throws(QueryError) {
        guard let m = modelIndex[name] else {
            throw QueryError(.unknownModel, "unknown model '\(Self.clipped(name))'")
        }
        modelIndex[name] = nil
        lastModel = nil
        lastSlice = nil
        for k in shards.indices {
            for s in seriesKeys.indices where seriesKeys[s].model == m { shards[k].series[s] = SeriesBuckets() }
            if m < shards[k].slices.count { shards[k].slices[m] = SliceBuckets() }
            shards[k].shadowPairs = shards[k].shadowPairs.filter { seriesKeys[$0.key.primary].model != m }
            if m < shards[k].modelCounts.count { shards[k].modelCounts[m] = EngineShard.ModelCounts() }
        }
        models[m] = ModelState(name: name)
        models[m].removed = true
        pendingSliceEdges[name] = nil
    }

    /// One model's summary; an unknown model is an error naming the known ones.
    public func modelSummary(_ name: String) throws(QueryError) -> ModelSummary {
        summary(try modelId(known: name))
    }

    private func summary(_ id: Int) -> ModelSummary {
        let m = models[id]
        let counts = modelCounts(id)
        return ModelSummary(
            name: m.name, task: m.task, versions: m.versions, shadowVersions: m.shadowVersions, classes: m.classes,
            predictions: counts.predictions,
            firstEvent: counts.firstEvent.map(Timestamp.init(milliseconds:)),
            lastEvent: counts.lastEvent.map(Timestamp.init(milliseconds:)), customMetrics: m.custom.names,
            segments: segmentValues(model: m.name))
    }

    /// A model's served predictions and their event time range, over every shard.
    func modelCounts(_ m: Int) -> EngineShard.ModelCounts {
        var total = EngineShard.ModelCounts()
        for shard in shards where m < shard.modelCounts.count {
            let c = shard.modelCounts[m]
            total.predictions += c.predictions
            if let f = c.firstEvent { total.firstEvent = min(total.firstEvent ?? f, f) }
            if let l = c.lastEvent { total.lastEvent = max(total.lastEvent ?? l, l) }
        }
        return total
    }

    /// Every segment key of a model with the values seen for it, sorted (what `by: segment` can split on).
    func segmentValues(model name: String) -> [String: [String]] {
        guard let m = modelIndex[name] else { return [:] }
        return models[m].segmentValues.mapValues { $0.sorted() }
    }

    /// The id of model `name`, creating it if new (callers check ``EngineLimits`` first).
    mutating func modelId(_ name: String) -> Int {
        if let last = lastModel, last.name == name { return last.id }
        let m: Int
        if let existing = modelIndex[name] {
            m = existing
        } else {
            models.append(ModelState(name: name))
            m = models.count - 1
            modelIndex[name] = m
        }
        lastModel = (name, m)
        return m
    }

    // MARK: - Series

    mutating func sliceSetId(model m: Int, version: String, segments: [String: String]) -> UInt32 {
        if segments.isEmpty, let last = lastSlice, last.model == m, last.version == version { return last.id }
        let id = internSliceSet(model: m, version: version, segments: segments)
        if segments.isEmpty { lastSlice = (m, version, id) }
        return id
    }

    private mutating func internSliceSet(model m: Int, version: String, segments: [String: String]) -> UInt32 {
        let key = SliceSetKey(model: m, version: version, segments: segments)
        if let id = sliceSetIndex[key] { return id }
        var ids = [seriesId(SeriesKey(model: m, version: version, segment: nil))]
        for (k, v) in segments.sorted(by: { $0.key < $1.key }) {
            ids.append(seriesId(SeriesKey(model: m, version: version, segment: Segment(key: k, value: v))))
        }
        if let served = Self.servedVersion(ofShadow: version) {
            if !models[m].shadowVersions.contains(served) { models[m].shadowVersions.append(served) }
        } else if !models[m].versions.contains(version) {
            models[m].versions.append(version)
        }
        for (k, v) in segments { models[m].segmentValues[k, default: []].insert(v) }
        sliceSets.append(SliceSet(model: m, version: version, segments: segments, series: ids))
        sliceBaseSeries.append(ids[0])
        sliceSegmentSeries.append(Array(ids.dropFirst()))
        sliceModels.append(m)
        let id = UInt32(sliceSets.count - 1)
        sliceSetIndex[key] = id
        return id
    }

    private mutating func seriesId(_ key: SeriesKey) -> Int {
        if let s = seriesIndex[key] { return s }
        seriesKeys.append(key)
        for k in shards.indices { shards[k].series.append(SeriesBuckets()) }
        seriesIndex[key] = seriesKeys.count - 1
        return seriesKeys.count - 1
    }
}

/// A model as the engine knows it.
public struct ModelSummary: Sendable, Hashable {
    public var name: String
    public var task: ModelTask?
    public var versions: [String]
    /// Versions seen in shadow predictions only (see `docs/changes.md#shadow-predictions`).
    public var shadowVersions: [String] = []
    public var classes: [String]
    public var predictions: Int64
    public var firstEvent: Timestamp?
    public var lastEvent: Timestamp?
    public var customMetrics: [String]
    /// Segment key → the values seen for it.
    public var segments: [String: [String]] = [:]
}
