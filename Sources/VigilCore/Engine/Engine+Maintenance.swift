extension Engine {
    /// Moves the engine's notion of "now" forward: evicts predictions past the label horizon,
    /// expires orphans and prunes old minute and hour buckets. Ingestion calls it with each event's
    /// time; a server calls it with its clock so that eviction also happens when traffic stops.
    public mutating func advance(to now: Timestamp) {
        advanceWatermark(now.milliseconds)
    }

    mutating func advanceWatermark(_ time: Int64) {
        guard time > watermarkMilliseconds else { return }
        watermarkMilliseconds = time
        // Housekeeping once per hour of event time keeps it off the per-event path.
        let hour = time.floorDivided(by: Resolution.hour.milliseconds).0
        guard hour != maintainedHour else { return }
        maintainedHour = hour
        maintain()
    }

    /// Evicts, expires and prunes in every shard (side by side when a batch's runner is active).
    private mutating func maintain() {
        let now = watermarkMilliseconds
        let hour = Resolution.hour.milliseconds
        let day = Resolution.day.milliseconds
        var job = EngineShard.Maintenance(
            labelCutoff: now - configuration.labelHorizon.milliseconds,
            orphanCutoff: now - configuration.orphanHorizon.milliseconds)
        let newMinuteCutoff = (now - configuration.minuteRetention.milliseconds).floorDivided(by: hour).0 * hour
        if newMinuteCutoff > minuteCutoff {
            minuteCutoff = newMinuteCutoff
            job.minutesBefore = newMinuteCutoff
        }
        let newHourCutoff = (now - configuration.hourRetention.milliseconds).floorDivided(by: day).0 * day
        if newHourCutoff > hourCutoff {
            hourCutoff = newHourCutoff
            job.hoursBefore = newHourCutoff
        }
        let newProfileCutoff = (now - configuration.profileHourRetention.milliseconds).floorDivided(by: day).0 * day
        if newProfileCutoff > profileHourCutoff {
            profileHourCutoff = newProfileCutoff
            job.profileHoursBefore = newProfileCutoff
        }
        let maintenance = job
        onEveryShard(run: activeRunner ?? Self.sequentially) { _, shard, _ in shard.maintain(maintenance) }
    }

    /// Memory held by the join index and the buckets, in bytes (for reports and `/metrics`).
    public var memoryFootprint: (joinIndex: Int, bytesPerPendingBeyondId: Double, buckets: Int) {
        let joinBytes = shards.reduce(0) { $0 + $1.join.allocatedBytes }
        let pending = shards.reduce(0) { $0 + $1.join.count }
        let perEntry =
            pending == 0
            ? 0 : shards.reduce(0.0) { $0 + $1.join.bytesPerEntryBeyondId * Double($1.join.count) } / Double(pending)
        return (joinBytes, perEntry, shards.reduce(0) { $0 + $1.bucketBytes })
    }
}
