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

    private mutating func maintain() {
        let now = watermarkMilliseconds
        let orphanCutoff = now - configuration.orphanHorizon.milliseconds
        for k in shards.indices {
            shards[k].evictPastHorizon(now - configuration.labelHorizon.milliseconds)
            shards[k].statistics.orphansExpired += shards[k].orphans.expire(before: orphanCutoff)
        }
        pruneBuckets(now)
        pruneProfiles(now)
    }

    private mutating func pruneBuckets(_ now: Int64) {
        let hour = Resolution.hour.milliseconds
        let day = Resolution.day.milliseconds
        let newMinuteCutoff = (now - configuration.minuteRetention.milliseconds).floorDivided(by: hour).0 * hour
        let newHourCutoff = (now - configuration.hourRetention.milliseconds).floorDivided(by: day).0 * day
        if newMinuteCutoff > minuteCutoff {
            minuteCutoff = newMinuteCutoff
            for k in shards.indices {
                for s in shards[k].series.indices { shards[k].series[s].minutes.prune(before: minuteCutoff) }
            }
        }
        if newHourCutoff > hourCutoff {
            hourCutoff = newHourCutoff
            for k in shards.indices {
                for s in shards[k].series.indices { shards[k].series[s].hours.prune(before: hourCutoff) }
            }
        }
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
