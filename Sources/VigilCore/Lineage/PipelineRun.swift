/// A run of a pipeline job as the events about it say, whatever order they came in: OpenLineage producers
/// send START, RUNNING and a final COMPLETE, FAIL or ABORT, and transports retry and reorder.
///
/// - a final state wins over START and RUNNING; of two final events the later one (by event time) wins;
/// - `startedAt` is the earliest START (else the earliest event), `endedAt` the final event's time;
/// - inputs and outputs accumulate over the events, the facets of the later event (by event time) winning;
/// - the same event again changes nothing.
///
/// ```swift
/// var run = PipelineRun(complete)   // COMPLETE arrived first
/// run.merge(start)                  // still complete; startedAt from the START
/// ```
public struct PipelineRun: Sendable, Hashable, Codable {
    public var runId: String
    public var job: JobRef
    public var state: LineageEvent.State
    public var startedAt: Timestamp
    public var endedAt: Timestamp?
    /// The newest event time seen.
    public var updatedAt: Timestamp
    public var inputs: [DatasetFacts]
    public var outputs: [DatasetFacts]
    public var errorMessage: String?
    public var parentRunId: String?
    public var codeVersion: String?
    /// Events merged (duplicates included).
    public var events: Int
    /// Whether a START was seen (else `startedAt` is the earliest event's time).
    public var sawStart: Bool

    enum CodingKeys: String, CodingKey {
        case runId = "run_id", job, state, startedAt = "started_at", endedAt = "ended_at", updatedAt = "updated_at"
        case inputs, outputs, errorMessage = "error_message", parentRunId = "parent_run_id"
        case codeVersion = "code_version", events, sawStart = "saw_start"
    }

    public init(_ e: LineageEvent) {
        runId = e.runId
        job = e.job
        state = e.state
        startedAt = e.time
        endedAt = e.state.isTerminal ? e.time : nil
        updatedAt = e.time
        inputs = []
        outputs = []
        events = 0
        sawStart = e.state == .start
        merge(e, counted: false)
        events = 1
    }

    /// Folds one more event about this run in.
    public mutating func merge(_ e: LineageEvent) { merge(e, counted: true) }

    private mutating func merge(_ e: LineageEvent, counted: Bool) {
        if counted { events += 1 }
        let newer = !counted || e.time >= updatedAt
        if e.state == .start {
            startedAt = sawStart ? min(startedAt, e.time) : e.time
            sawStart = true
        } else if !sawStart {
            startedAt = min(startedAt, e.time)
        }
        updatedAt = max(updatedAt, e.time)
        if e.state.isTerminal {
            if !state.isTerminal || e.time >= (endedAt ?? e.time) {
                state = e.state
                endedAt = e.time
            }
        } else if !state.isTerminal, e.state != .other {
            state = e.state == .start && state == .running ? .running : e.state
        }
        inputs = Self.merged(inputs, e.inputs, newerWins: newer)
        outputs = Self.merged(outputs, e.outputs, newerWins: newer)
        errorMessage = newer ? e.errorMessage ?? errorMessage : errorMessage ?? e.errorMessage
        parentRunId = newer ? e.parentRunId ?? parentRunId : parentRunId ?? e.parentRunId
        codeVersion = newer ? e.codeVersion ?? codeVersion : codeVersion ?? e.codeVersion
    }

    /// The datasets of both, in first-seen order; where both describe one, the newer event's facets win and
    /// the older one's fill what it leaves out.
    static func merged(_ old: [DatasetFacts], _ new: [DatasetFacts], newerWins: Bool) -> [DatasetFacts] {
        var out = old
        for d in new {
            if let i = out.firstIndex(where: { $0.namespace == d.namespace && $0.name == d.name }) {
                out[i] = newerWins ? out[i].merged(with: d) : d.merged(with: out[i])
            } else {
                out.append(d)
            }
        }
        return out
    }

    /// Seconds from start to end, for finished runs.
    public var durationSeconds: Double? {
        endedAt.map { Double($0.milliseconds - startedAt.milliseconds) / 1000 }
    }
}
