extension Engine {
    /// Makes columns of a new prediction's feature names the model does not profile yet (within the limit;
    /// past it, names are listed as untracked).
    mutating func addProfileColumns(_ p: Prediction, model m: Int) {
        guard configuration.profiles else { return }
        // Read the model's column index once: going through `models[m]` per feature copies the model state.
        var index = models[m].profileColumnIndex
        // In name order, not the dictionary's (which differs between processes): every node of a cluster must
        // number a model's columns alike, since shards' profiles travel between nodes by column number.
        for name in p.features.keys.filter({ index[$0] == nil }).sorted() {
            if addProfileColumn(name, model: m) != nil { index = models[m].profileColumnIndex }
        }
    }

    /// Whether a prediction's features would add a column (or an untracked name) to its model.
    func addsProfileColumns(_ p: Prediction, model m: Int) -> Bool {
        guard configuration.profiles else { return false }
        // Read the model's column index once: going through `models[m]` per feature copies the model state.
        let index = models[m].profileColumnIndex
        for name in p.features.keys where index[name] == nil {
            if models[m].profileColumns.count < configuration.maxProfileColumns { return true }
            if models[m].untrackedColumns.count < Self.maxUntrackedColumnNames,
                !models[m].untrackedColumns.contains(name)
            {
                return true
            }
        }
        return false
    }

    private mutating func addProfileColumn(_ name: String, model m: Int) -> Int? {
        guard models[m].profileColumns.count < configuration.maxProfileColumns else {
            if models[m].untrackedColumns.count < Self.maxUntrackedColumnNames {
                models[m].untrackedColumns.insert(name)
            }
            return nil
        }
        models[m].profileColumns.append(name)
        models[m].profileColumnIndex[name] = models[m].profileColumns.count - 1
        return models[m].profileColumns.count - 1
    }

    /// The merged column profile of a model's predictions over a window (all versions, or one).
    ///
    /// Windows resolve to whole hours (to whole days past ``EngineConfiguration/profileHourRetention``);
    /// the returned bounds say which range was merged. The cost depends on the number of buckets and
    /// columns, not on the number of predictions.
    public func profile(model name: String, window: Window = .cumulative, version: String? = nil) throws(QueryError)
        -> WindowProfile
    {
        let m = try modelId(known: name)
        let seriesIds = try matchingSeries(m, version: version, segment: nil)
        var merged = ProfileBucket()
        var bounds: (Timestamp, Timestamp)?
        if let (a, b) = window.bounds {
            guard a <= b else { throw QueryError(.invalidWindow, "window starts after it ends") }
            let plan = windowPlan(from: a, to: b, minuteCutoff: .max, hourCutoff: profileHourCutoff)
            bounds = (Timestamp(milliseconds: plan.from), Timestamp(milliseconds: plan.to))
            for s in seriesIds {
                for (resolution, key) in plan.buckets {
                    for shard in shards {
                        let profiles = shard.series[s].profiles
                        if let bucket = resolution == .day ? profiles.days[key] : profiles.hours[key] {
                            merged.merge(bucket, limits: .unbounded)
                        }
                    }
                }
            }
        } else {
            for s in seriesIds {
                let days = Set(shards.flatMap { $0.series[s].profiles.days.keys }).sorted()
                for key in days {
                    for shard in shards {
                        if let bucket = shard.series[s].profiles.days[key] { merged.merge(bucket, limits: .unbounded) }
                    }
                }
            }
        }
        var profile = DataProfile()
        profile.rows = merged.rows
        for (i, c) in merged.columns.enumerated() where c.present > 0 {
            profile.columns[models[m].profileColumns[i]] = c
        }
        for (i, c) in merged.outputs.enumerated() where c.present > 0 {
            profile.outputs[ProfileBucket.outputNames[i]] = c
        }
        return WindowProfile(
            model: name, task: models[m].task ?? .binary, from: bounds?.0, to: bounds?.1, profile: profile,
            untrackedColumns: models[m].untrackedColumns.sorted())
    }

    /// Memory held by column profiles: buckets, bytes, and bytes per column per bucket.
    public var profileFootprint: (buckets: Int, bytes: Int, columnBuckets: Int) {
        var buckets = 0
        var bytes = 0
        var columnBuckets = 0
        for s in shards.lazy.flatMap(\.series) {
            let f = s.profiles.footprint
            buckets += f.buckets
            bytes += f.bytes
            for b in s.profiles.hours.values { columnBuckets += b.columns.count }
            for b in s.profiles.days.values { columnBuckets += b.columns.count }
        }
        return (buckets, bytes, columnBuckets)
    }

    /// Average bytes per column in day buckets (hour buckets hold fewer rows and so less).
    public var profileDayFootprint: Double {
        var bytes = 0
        var columns = 0
        for s in shards.lazy.flatMap(\.series) {
            for b in s.profiles.days.values {
                bytes += b.footprint
                columns += b.columns.count
            }
        }
        return Double(bytes) / Double(max(1, columns))
    }
}

/// A model's merged profile over a window, with the range actually merged (whole hours or days).
public struct WindowProfile: Sendable {
    public var model: String
    public var task: ModelTask
    /// `nil` for a cumulative profile.
    public var from: Timestamp?
    public var to: Timestamp?
    public var profile: DataProfile
    /// Feature names past ``EngineConfiguration/maxProfileColumns``, not profiled.
    public var untrackedColumns: [String]
}
