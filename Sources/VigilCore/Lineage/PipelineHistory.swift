/// What happened to one SLO subject of the pipeline — a job's runs and heartbeats, a dataset's writes, a
/// gate's checks — as the store recorded it. An SLI at time `now` uses only what had happened by then, so a
/// backtest over the whole history gives each hour the value it had at that hour.
///
/// ```swift
/// let history = PipelineHistory(runs: runs)
/// history.sample(.jobCadence, from: now - .seconds(86_400), to: now, now: now).value  // seconds since the last success
/// ```
public struct PipelineHistory: Sendable, Hashable {
    /// One run: when it started and, once finished, when and how it ended.
    public struct Run: Sendable, Hashable {
        public var startedAt: Timestamp
        public var endedAt: Timestamp?
        public var state: LineageEvent.State

        public init(startedAt: Timestamp, endedAt: Timestamp?, state: LineageEvent.State) {
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.state = state
        }

        /// Finished by `t`: ended at or before it.
        func finished(by t: Timestamp) -> Bool { endedAt.map { $0 <= t } ?? false }
    }

    public struct Check: Sendable, Hashable {
        public var at: Timestamp
        public var passed: Bool

        public init(at: Timestamp, passed: Bool) {
            self.at = at
            self.passed = passed
        }
    }

    public var runs: [Run]
    public var heartbeats: [Timestamp]
    /// When runs that wrote the dataset completed.
    public var writes: [Timestamp]
    public var checks: [Check]

    public init(runs: [Run] = [], heartbeats: [Timestamp] = [], writes: [Timestamp] = [], checks: [Check] = []) {
        self.runs = runs
        self.heartbeats = heartbeats
        self.writes = writes
        self.checks = checks
    }

    /// The earliest and latest times the history holds, for the default range of a backtest.
    public var span: (from: Timestamp, to: Timestamp)? {
        let times = runs.flatMap { [$0.startedAt] + ($0.endedAt.map { [$0] } ?? []) } + heartbeats + writes
            + checks.map(\.at)
        guard let first = times.min(), let last = times.max() else { return nil }
        return (first, last)
    }

    /// The measure over `[from, to)` as it stood at `now`.
    public func sample(_ measure: PipelineMeasure, from: Timestamp, to: Timestamp, now: Timestamp) -> SLISample {
        switch measure {
        case .datasetFreshness: return Self.since(writes.filter { $0 <= now }, now)
        case .jobCadence:
            return Self.since(runs.filter { $0.state == .complete && $0.finished(by: now) }.compactMap(\.endedAt), now)
        case .jobHeartbeat: return Self.since(signsOfLife(by: now), now)
        case .jobSuccessRate:
            let finished = runs.filter { r in r.finished(by: now) && r.endedAt.map { $0 >= from && $0 < to } ?? false }
            return .proportion(Int64(finished.count { $0.state == .complete }), of: Int64(finished.count))
        case .jobDuration: return duration(from: from, to: to, now: now)
        case .gatePassRate:
            let inWindow = checks.filter { $0.at >= from && $0.at < to && $0.at <= now }
            return .proportion(Int64(inWindow.count { $0.passed }), of: Int64(inWindow.count))
        }
    }

    /// Seconds from the newest of `times` to `now`, over how many there were.
    static func since(_ times: [Timestamp], _ now: Timestamp) -> SLISample {
        guard let last = times.max() else { return SLISample(value: nil, n: 0) }
        return SLISample(value: Double(now.milliseconds - last.milliseconds) / 1000, n: Int64(times.count))
    }

    /// Heartbeats, run starts and run ends up to `t`: any of them shows the job alive.
    func signsOfLife(by t: Timestamp) -> [Timestamp] {
        heartbeats.filter { $0 <= t }
            + runs.flatMap { r in [r.startedAt] + (r.endedAt.map { [$0] } ?? []) }.filter { $0 <= t }
    }

    /// The newest run finished in the window, or a run started in it and still going that has taken longer: a
    /// hung run breaches a duration objective before it ends (and leaves the window when its start does).
    func duration(from: Timestamp, to: Timestamp, now: Timestamp) -> SLISample {
        let finished = runs.filter { r in r.finished(by: now) && r.endedAt.map { $0 >= from && $0 < to } ?? false }
        let running = runs.filter { $0.startedAt >= from && $0.startedAt <= now && $0.startedAt < to && !$0.finished(by: now) }
        let newest = finished.max { ($0.endedAt ?? $0.startedAt) < ($1.endedAt ?? $1.startedAt) }
        let last = newest.map { Double(($0.endedAt ?? $0.startedAt).milliseconds - $0.startedAt.milliseconds) / 1000 }
        let open = running.map { Double(now.milliseconds - $0.startedAt.milliseconds) / 1000 }.max()
        let values = [last, open].compactMap { $0 }
        return SLISample(value: values.max(), n: Int64(finished.count + running.count))
    }
}
