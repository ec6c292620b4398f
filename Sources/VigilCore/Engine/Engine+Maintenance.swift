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
        evictPastHorizon(now - configuration.labelHorizon.milliseconds)
        statisticsStore.orphansExpired += orphans.expire(before: now - configuration.orphanHorizon.milliseconds)
        pruneBuckets(now)
        pruneProfiles(now)
    }

    private mutating func evictPastHorizon(_ cutoff: Int64) {
        var evicted = 0
        var neverLabeled = 0
        var retainedRefs: [UInt32] = []
        let keepsFeatures = !retainedFeatures.isEmpty
        join.evict(olderThan: cutoff) { ref, labeled in
            evicted += 1
            if !labeled { neverLabeled += 1 }
            if keepsFeatures { retainedRefs.append(ref.raw) }
        }
        for r in retainedRefs { retainedFeatures[r] = nil }
        statisticsStore.evicted += evicted
        statisticsStore.evictedNeverLabeled += neverLabeled
    }

    private mutating func pruneBuckets(_ now: Int64) {
        let hour = Resolution.hour.milliseconds
        let day = Resolution.day.milliseconds
        let newMinuteCutoff = (now - configuration.minuteRetention.milliseconds).floorDivided(by: hour).0 * hour
        let newHourCutoff = (now - configuration.hourRetention.milliseconds).floorDivided(by: day).0 * day
        if newMinuteCutoff > minuteCutoff {
            minuteCutoff = newMinuteCutoff
            for s in series.indices { series[s].minutes.prune(before: minuteCutoff) }
        }
        if newHourCutoff > hourCutoff {
            hourCutoff = newHourCutoff
            for s in series.indices { series[s].hours.prune(before: hourCutoff) }
        }
    }

    /// Memory held by the join index and the buckets, in bytes (for reports and `/metrics`).
    public var memoryFootprint: (joinIndex: Int, bytesPerPendingBeyondId: Double, buckets: Int) {
        (
            join.allocatedBytes, join.bytesPerEntryBeyondId,
            series.reduce(0) { $0 + $1.minutes.footprint + $1.hours.footprint + $1.days.footprint }
        )
    }
}
