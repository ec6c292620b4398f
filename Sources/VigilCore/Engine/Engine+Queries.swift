extension Engine {
    /// Metric values of a model over a window, optionally for one version and one segment value.
    ///
    /// Merges at most a few hundred bucket aggregates: the cost does not grow with the number of predictions.
    ///
    /// - Parameters:
    ///   - names: metric names (built-in or custom); `nil` for every built-in and custom metric of the model.
    ///   - version: one version; `nil` merges all versions.
    ///   - segment: one segment tag value; `nil` for all predictions.
    public func metrics(
        model name: String, window: Window = .cumulative, version: String? = nil, segment: Segment? = nil,
        names: [String]? = nil
    ) throws(QueryError) -> MetricReport {
        let q = try ResolvedQuery(self, model: name, version: version, segment: segment, names: names)
        return try metrics(q, window: window)
    }

    /// What a metrics query resolves to before any bucket is read: the model, its metric names and the
    /// series to merge. A series resolves it once for all its steps.
    struct ResolvedQuery {
        var name: String
        var m: Int
        var task: ModelTask
        var wanted: [String]
        var seriesIds: [Int]
        var parts: AggregateParts
        var computer: MetricComputer

        init(_ engine: borrowing Engine, model name: String, version: String?, segment: Segment?, names: [String]?)
            throws(QueryError)
        {
            self.name = name
            m = try engine.modelId(known: name)
            let model = engine.models[m]
            task = model.task ?? .binary
            wanted = try engine.resolveNames(names, model: model, task: task)
            seriesIds = try engine.matchingSeries(m, version: version, segment: segment)
            parts = MetricComputer.parts(for: wanted, hasCustom: model.hasCustomMetrics)
            computer = MetricComputer(task: task, classes: model.classes)
        }
    }

    func metrics(_ q: ResolvedQuery, window: Window) throws(QueryError) -> MetricReport {
        let (merged, from, to) = try mergedWindow(q.seriesIds, window: window, parts: q.parts)
        let custom = models[q.m].custom
        var values: [String: MetricValue] = Dictionary(minimumCapacity: q.wanted.count)
        for metric in q.wanted {
            values[metric] = q.computer.value(metric, merged) ?? custom.value(metric, merged.aggregate.custom)
        }
        var report = MetricReport(
            model: q.name, task: q.task, from: from, to: to, names: q.wanted, values: values,
            confusion: q.computer.confusion(merged.aggregate))
        report.resolution = window.bounds.map { bucketResolution(at: Timestamp(milliseconds: $0.0)) }
        return report
    }

    /// The finest buckets kept at `t` (minutes while recent, then hours, then days): a window starting at `t`
    /// is read from these, its start rounded down to one.
    public func bucketResolution(at t: Timestamp) -> Resolution {
        WindowPlan.width(at: t.milliseconds, minuteCutoff: minuteCutoff, hourCutoff: hourCutoff)
    }

    /// The most points a metric series may have.
    public static let maxSeriesSteps = 10_000

    /// The event times the buckets can hold: from the earliest prediction to the watermark (`nil` before any).
    var eventRange: ClosedRange<Int64>? {
        let first = shards.lazy.flatMap(\.modelCounts).compactMap(\.firstEvent).min()
        guard watermarkMilliseconds != .min, let first else { return nil }
        return first...max(first, watermarkMilliseconds)
    }

    /// The whole days that hold the data, from the first event's day to the end of the watermark's (`nil` before
    /// any event): a window of all time covers the same buckets, and reads better as these bounds.
    public var dataDays: (from: Timestamp, to: Timestamp)? {
        guard let data = eventRange else { return nil }
        let days = WindowPlan.days(covering: data)
        return (Timestamp(milliseconds: days.lowerBound), Timestamp(milliseconds: days.upperBound))
    }

    /// The buckets that cover a window, skipping the days outside ``eventRange`` (all of them before any event).
    func windowPlan(from a: Int64, to b: Int64, minuteCutoff: Int64, hourCutoff: Int64) -> WindowPlan {
        guard let data = eventRange else {
            return .empty(from: a, to: b, minuteCutoff: minuteCutoff, hourCutoff: hourCutoff)
        }
        return WindowPlan(from: a, to: b, minuteCutoff: minuteCutoff, hourCutoff: hourCutoff, data: data)
    }

    /// The buckets of a window merged, with the window's bounds as resolved to buckets (`nil` when cumulative).
    func mergedWindow(_ m: Int, window: Window, version: String?, segment: Segment?, parts: AggregateParts)
        throws(QueryError) -> (WindowMerge.Result, Timestamp?, Timestamp?)
    {
        try mergedWindow(try matchingSeries(m, version: version, segment: segment), window: window, parts: parts)
    }

    func mergedWindow(_ seriesIds: [Int], window: Window, parts: AggregateParts)
        throws(QueryError) -> (WindowMerge.Result, Timestamp?, Timestamp?)
    {
        var merge = WindowMerge(parts: parts)
        var from: Timestamp?
        var to: Timestamp?
        if let (a, b) = window.bounds {
            guard a <= b else { throw QueryError(.invalidWindow, "window starts after it ends") }
            let plan = windowPlan(from: a, to: b, minuteCutoff: minuteCutoff, hourCutoff: hourCutoff)
            from = Timestamp(milliseconds: plan.from)
            to = Timestamp(milliseconds: plan.to)
            for s in seriesIds {
                for (resolution, key) in plan.buckets {
                    for shard in shards {
                        if let bucket = shard.series[s].aggregate(resolution, key: key) { merge.add(bucket) }
                    }
                }
            }
        } else {
            for s in seriesIds {
                for shard in shards { shard.series[s].days.forEach { _, bucket in merge.add(bucket) } }
            }
        }
        return (merge.result, from, to)
    }

    /// One report per `step` in `[from, to)` (calendar buckets: per hour, per day).
    public func metricSeries(
        model name: String, from: Timestamp, to: Timestamp, step: Duration, version: String? = nil,
        segment: Segment? = nil, names: [String]? = nil
    ) throws(QueryError) -> [MetricReport] {
        guard step.milliseconds > 0 else { throw QueryError(.invalidWindow, "step must be positive") }
        let steps = (to.milliseconds - from.milliseconds) / step.milliseconds
        guard steps <= Self.maxSeriesSteps else {
            throw QueryError(
                .invalidWindow,
                "\(steps) steps of \(step.windowText); at most \(Self.maxSeriesSteps): use a longer step")
        }
        guard from <= to else { throw QueryError(.invalidWindow, "from must not be after to") }
        // Every step as long as the others: when the oldest edge can only be cut at the hour (or day), every
        // edge is — the series moves back to that edge, keeping its number of steps — rather than the old
        // edges snapping and the new ones not (24 h 35 min next to 24 h).
        let width = bucketResolution(at: from)
        var (start, end) = (from, to)
        let offset = from.milliseconds.floorDivided(by: width.milliseconds).1
        if offset != 0, step.milliseconds % width.milliseconds == 0 {
            start = Timestamp(milliseconds: from.milliseconds - offset)
            end = Timestamp(milliseconds: to.milliseconds - offset)
        }
        let q = try ResolvedQuery(self, model: name, version: version, segment: segment, names: names)
        return try Window.steps(from: start, to: end, step: step).map { (slice) throws(QueryError) in
            try metrics(q, window: .range(from: slice.from, to: slice.to))
        }
    }

    func modelId(known name: String) throws(QueryError) -> Int {
        guard let m = modelIndex[name], models[m].task != nil else {
            let known = models.filter { $0.task != nil && !$0.removed }.map(\.name).sorted()
            throw QueryError(
                .unknownModel,
                "unknown model '\(Self.clipped(name))'; known models: \(Self.listed(known))")
        }
        return m
    }

    /// The model's index when it is a binary classifier; otherwise an error saying `what` needs one.
    func binaryModel(_ name: String, for what: String) throws(QueryError) -> Int {
        let m = try modelId(known: name)
        guard models[m].task == .binary else {
            throw QueryError(
                .invalidDefinition,
                "\(what) needs a binary classifier with scores; '\(name)' is \(models[m].task?.rawValue ?? "unknown")")
        }
        return m
    }

    func resolveNames(_ names: [String]?, model: ModelState, task: ModelTask) throws(QueryError) -> [String] {
        let perClass =
            task == .multiclass
            ? MetricCatalog.perClass.flatMap { metric in model.classes.map { "\(metric).\($0)" } } : []
        let available = MetricCatalog.names(for: task) + perClass + model.custom.names
        guard let names else { return available }
        for n in names where !available.contains(n) {
            throw QueryError(
                .unknownMetric,
                "unknown metric '\(n)' for \(task.rawValue) model '\(model.name)'; available: \(available.joined(separator: ", "))"
            )
        }
        return names
    }

    /// The series of a model's version (a served one, else a shadow one of that name) or, for `nil`, of every
    /// served version — shadows never count in a model's metrics.
    func matchingSeries(_ m: Int, version: String?, segment: Segment?) throws(QueryError) -> [Int] {
        var wanted = version
        if let version, !models[m].versions.contains(version) {
            guard models[m].shadowVersions.contains(version) else {
                throw QueryError(
                    .unknownVersion,
                    "unknown version '\(Self.clipped(version))' of model '\(models[m].name)'; known: \(Self.listed(models[m].versions + models[m].shadowVersions))"
                )
            }
            wanted = Self.shadowSeriesVersion(version)
        }
        return seriesKeys.indices.filter {
            let k = seriesKeys[$0]
            guard k.model == m, k.segment == segment else { return false }
            if let wanted { return k.version == wanted }
            return Self.servedVersion(ofShadow: k.version) == nil
        }
    }
}

extension Engine {
    /// The segment tag values seen for a model, optionally only for one tag key.
    public func segments(model name: String, key: String? = nil) -> [Segment] {
        guard let m = modelIndex[name] else { return [] }
        var seen: [Segment] = []
        for k in seriesKeys where k.model == m {
            if let s = k.segment, key == nil || s.key == key, !seen.contains(s) { seen.append(s) }
        }
        return seen.sorted { ($0.key, $0.value) < ($1.key, $1.value) }
    }
}
