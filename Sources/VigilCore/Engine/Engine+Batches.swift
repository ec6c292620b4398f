/// Batches: the shards of a batch's rows applied side by side, with the outcome of every row exactly as
/// ingesting the rows one by one would give.
///
/// A batch is cut into *runs*. A row joins the run when applying it changes only its own shard: its model,
/// slice set, classes and profile columns exist, it does not move the watermark into a new hour (which
/// evicts and prunes in every shard), and, for a label, the label horizon accepts or refuses it whatever the
/// earlier rows of the run do to the watermark. Everything else — a new model, version or segment value, a
/// shadow, the first row of an hour — is a *barrier*: the run so far is applied, then the row alone, as
/// ``ingest(_:)-(Prediction)`` would. Within a run each shard takes its rows in batch order, and rows of
/// different shards never meet (a row's id decides its shard), so the result is the serial one.
///
/// `VigilCore` does no threading: `run` is how the caller runs the shards (the server passes one that runs
/// them on separate cores; ``sequentially`` runs them one after another).
extension Engine {
    /// Runs `body(k)` for every `k` in `0..<count`, in any order or concurrently, and returns when all are done.
    public typealias ShardRunner = @Sendable (_ count: Int, _ body: @Sendable (Int) -> Void) -> Void

    /// Runs shorter than this are applied on the calling thread, whatever the runner.
    static let minimumParallelRun = 128

    /// Runs the shards one after another.
    public static let sequentially: ShardRunner = { count, body in
        for k in 0..<count { body(k) }
    }

    /// Ingests predictions in order; each row's outcome, or the error that refused it.
    public mutating func ingest(
        _ predictions: [Prediction], run: @escaping ShardRunner
    ) -> [Result<IngestOutcome, EventError>] {
        var placements: [Int] = []
        return ingest(predictions, run: run, placements: &placements)
    }

    /// Ingests predictions in order; each row's outcome, or the error that refused it. `placements` gets, for
    /// each row, the shard whose run it joined, or −1 for a barrier (see ``ingest(_:run:placements:)-(Event)``).
    public mutating func ingest(
        _ predictions: [Prediction], run: @escaping ShardRunner, placements: inout [Int]
    ) -> [Result<IngestOutcome, EventError>] {
        ingestBatch(predictions.count, run: run, placements: &placements) { (engine, i, bounds) throws(EventError) in
            try engine.plan(predictions[i], index: i, bounds: &bounds)
        } serial: { (engine, i) throws(EventError) in
            try engine.ingest(predictions[i])
        } shard: { shard, row, engine in
            shard.apply(row, prediction: predictions[row.index], engine)
        }
    }

    /// Ingests feedback in order; each row's outcome, or the error that refused it.
    public mutating func ingest(
        _ feedback: [Feedback], run: @escaping ShardRunner
    ) -> [Result<IngestOutcome, EventError>] {
        var placements: [Int] = []
        return ingest(feedback, run: run, placements: &placements)
    }

    /// Ingests feedback in order; each row's outcome, or the error that refused it, and each row's placement
    /// (see ``ingest(_:run:placements:)-(Event)``).
    public mutating func ingest(
        _ feedback: [Feedback], run: @escaping ShardRunner, placements: inout [Int]
    ) -> [Result<IngestOutcome, EventError>] {
        ingestBatch(feedback.count, run: run, placements: &placements) { (engine, i, bounds) throws(EventError) in
            try engine.plan(feedback[i], index: i, bounds: &bounds)
        } serial: { (engine, i) throws(EventError) in
            try engine.ingest(feedback[i])
        } shard: { shard, row, engine in
            shard.apply(row, feedback: feedback[row.index], engine)
        }
    }

    /// Ingests predictions and feedback in order, as one batch; each row's outcome, or the error that refused it.
    public mutating func ingest(_ events: [Event], run: @escaping ShardRunner) -> [Result<IngestOutcome, EventError>] {
        var placements: [Int] = []
        return ingest(events, run: run, placements: &placements)
    }

    /// Ingests predictions and feedback in order, as one batch; each row's outcome, or the error that refused it.
    ///
    /// `placements` gets, for each row, the shard whose run it joined, or −1 for a barrier (a refused row's is
    /// either: it is not logged).
    /// A row of a run changed only its shard and the watermark within its hour, so a node that owns part of the
    /// shards (``own(_:)``) and applies only the barriers and its shards' rows, then moves its watermark to the
    /// batch's newest time, ends in the state it would have reached applying every row: how a cluster's log is
    /// split by shard.
    public mutating func ingest(
        _ events: [Event], run: @escaping ShardRunner, placements: inout [Int]
    ) -> [Result<IngestOutcome, EventError>] {
        ingestBatch(events.count, run: run, placements: &placements) { (engine, i, bounds) throws(EventError) in
            switch events[i] {
            case .prediction(let p): try engine.plan(p, index: i, bounds: &bounds)
            case .feedback(let f): try engine.plan(f, index: i, bounds: &bounds)
            }
        } serial: { (engine, i) throws(EventError) in
            switch events[i] {
            case .prediction(let p): try engine.ingest(p)
            case .feedback(let f): try engine.ingest(f)
            }
        } shard: { shard, row, engine in
            switch events[row.index] {
            case .prediction(let p): shard.apply(row, prediction: p, engine)
            case .feedback(let f): shard.apply(row, feedback: f, engine)
            }
        }
    }

    /// A row planned into a run: where it goes and what its shard needs.
    struct PlannedRow: Sendable {
        var index: Int
        var time: Int64
        var hash: UInt64
        var shard: Int
        var sliceSet: UInt32 = 0
        var model = 0
        var folded = false
        var encoded = EncodedPrediction(prediction: 0, score: nil)
    }

    /// What the rows of the current run may have done to the watermark: it is at least `lower` (the engine's
    /// before the run) and at most `upper` (the newest time planned).
    struct RunBounds {
        var lower: Int64
        var upper: Int64
    }

    /// A row's shard outcome: `nil` for a label of a removed model (which changes nothing, not even the
    /// watermark).
    typealias ShardResult = Result<IngestOutcome?, EventError>

    private mutating func ingestBatch(
        _ count: Int, run: @escaping ShardRunner, placements: inout [Int],
        plan: (inout Engine, Int, inout RunBounds) throws(EventError) -> PlannedRow?,
        serial: (inout Engine, Int) throws(EventError) -> IngestOutcome,
        shard apply: @escaping @Sendable (inout EngineShard, PlannedRow, Engine) -> ShardResult
    ) -> [Result<IngestOutcome, EventError>] {
        placements = Array(repeating: -1, count: count)
        // One shard has nothing to run side by side.
        guard shards.count > 1 else {
            return (0..<count).map { (i) -> Result<IngestOutcome, EventError> in
                do throws(EventError) { return .success(try serial(&self, i)) } catch { return .failure(error) }
            }
        }
        activeRunner = run
        defer { activeRunner = nil }
        var results = [Result<IngestOutcome, EventError>?](repeating: nil, count: count)
        var rows: [PlannedRow] = []
        var bounds = RunBounds(lower: watermarkMilliseconds, upper: watermarkMilliseconds)
        for i in 0..<count {
            do throws(EventError) {
                if let row = try plan(&self, i, &bounds) {
                    rows.append(row)
                    continue
                }
            } catch {
                results[i] = .failure(error)
                continue
            }
            applyRun(&rows, into: &results, placements: &placements, run: run, apply)
            do throws(EventError) {
                results[i] = .success(try serial(&self, i))
            } catch {
                results[i] = .failure(error)
            }
            bounds = RunBounds(lower: watermarkMilliseconds, upper: watermarkMilliseconds)
        }
        applyRun(&rows, into: &results, placements: &placements, run: run, apply)
        return results.map { $0! }
    }

    /// Applies the rows of a run, each shard's in order, the shards through `run`; then moves the watermark.
    private mutating func applyRun(
        _ rows: inout [PlannedRow], into results: inout [Result<IngestOutcome, EventError>?],
        placements: inout [Int], run: ShardRunner,
        _ apply: @escaping @Sendable (inout EngineShard, PlannedRow, Engine) -> ShardResult
    ) {
        guard !rows.isEmpty else { return }
        var byShard = [[PlannedRow]](repeating: [], count: shards.count)
        // Positions of each shard's rows in `rows`, to write their outcomes back in batch order.
        var positions = [[Int]](repeating: [], count: shards.count)
        var outcomes = [ShardResult](repeating: .success(nil), count: rows.count)
        for (n, row) in rows.enumerated() {
            placements[row.index] = row.shard
            guard owns(row.shard) else {
                outcomes[n] = .success(.accepted)
                continue
            }
            byShard[row.shard].append(row)
            positions[row.shard].append(n)
        }
        let queues = byShard
        let places = positions
        // Waking other threads costs more than a short run: a time-ordered replay alternates between
        // predictions and labels in runs of a few rows.
        let runner = rows.count < Self.minimumParallelRun ? Engine.sequentially : run
        outcomes.withUnsafeMutableBufferPointer { outcomeBuffer in
            let slots = OutcomeSlots(buffer: outcomeBuffer)
            onEveryShard(run: runner) { k, shard, engine in
                for (row, place) in zip(queues[k], places[k]) { slots.buffer[place] = apply(&shard, row, engine) }
            }
        }
        var newest = watermarkMilliseconds
        for (row, outcome) in zip(rows, outcomes) {
            // Where only part of the shards is owned, every row moves the watermark (see `own(_:)`).
            if ownsPart {
                results[row.index] = .success(Self.ownedPartOutcome(outcome))
                newest = max(newest, row.time)
                continue
            }
            switch outcome {
            case .success(let result?):
                results[row.index] = .success(result)
                // A stored prediction and every label move the watermark; a repeated prediction does not.
                if result != .duplicate || !row.isPrediction { newest = max(newest, row.time) }
            case .success(nil): results[row.index] = .success(.stale)
            case .failure(let error): results[row.index] = .failure(error)
            }
        }
        // Rows moving it into a new hour are barriers, so this moves the watermark within its hour: nothing
        // to evict or prune.
        watermarkMilliseconds = newest
        rows.removeAll(keepingCapacity: true)
    }

    /// Plans a prediction into the run, or returns `nil` for a barrier. Throws the row's refusal.
    mutating func plan(_ p: Prediction, index: Int, bounds: inout RunBounds) throws(EventError) -> PlannedRow? {
        try checkRow(p)
        let admission = try admit(p)
        var classes = ClassPlan(model: admission.model, limit: configuration.limits.maxClassesPerModel)
        var encoded = try encode(p, task: admission.task, classes: &classes)
        let time = p.time.milliseconds
        guard !p.shadow, let m = admission.model, let set = admission.sliceSet, classes.added.isEmpty,
            !movesToNewHour(time), !addsProfileColumns(p, model: m), let sliceCodes = knownSliceCodes(p, model: m)
        else { return nil }
        encoded.sliceCodes = sliceCodes
        bounds.upper = max(bounds.upper, time)
        let hash = idHash(p.id)
        return PlannedRow(
            index: index, time: time, hash: hash, shard: shardIndex(ofHash: hash), sliceSet: set, model: m,
            folded: admission.folded, encoded: encoded)
    }

    /// Plans a label into the run, or returns `nil` for a barrier. Throws the row's refusal.
    mutating func plan(_ f: Feedback, index: Int, bounds: inout RunBounds) throws(EventError) -> PlannedRow? {
        let time = f.time.milliseconds
        let horizon = configuration.labelHorizon.milliseconds
        // The label horizon refuses a label older than the watermark less the horizon. Where the earlier rows
        // of the run could have moved the watermark across it (depending on which of them are accepted), the
        // label is applied alone, after them; otherwise the check gives the serial answer now.
        if bounds.upper != .min, time < bounds.upper - horizon, bounds.upper != bounds.lower { return nil }
        try checkRow(f)
        guard !movesToNewHour(time) else { return nil }
        bounds.upper = max(bounds.upper, time)
        let hash = idHash(f.id)
        var row = PlannedRow(index: index, time: time, hash: hash, shard: shardIndex(ofHash: hash))
        row.model = -1
        return row
    }

    /// Whether an event at `time` would move the watermark into an hour not yet maintained.
    private func movesToNewHour(_ time: Int64) -> Bool {
        time > watermarkMilliseconds && time.floorDivided(by: Resolution.hour.milliseconds).0 != maintainedHour
    }
}

extension Engine.PlannedRow {
    /// Labels are planned with model −1: their model is the prediction's, found in the shard.
    var isPrediction: Bool { model >= 0 }
}

/// The outcome slots of a run, written by the shards' tasks: each task writes the slots of its own rows only.
private struct OutcomeSlots: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Engine.ShardResult>
}

extension EngineShard {
    /// A planned prediction: a repeat is resolved, a new one stored, paired with its shadows and given the
    /// label waiting for it.
    mutating func apply(_ row: Engine.PlannedRow, prediction p: Prediction, _ engine: Engine) -> Engine.ShardResult {
        if let existing = join.find(p.id, hash: row.hash) {
            do throws(EventError) {
                return .success(try resolveRepeat(existing, time: row.time, row.encoded, row.sliceSet, engine))
            } catch {
                return .failure(error)
            }
        }
        let ref = store(
            p, key: p.id, hash: row.hash, set: row.sliceSet, model: row.model, row.encoded, served: true, engine)
        if row.folded { statistics.segmentValuesFolded += 1 }
        if engine.hasShadowPredictions { pairWithShadows(primary: ref, id: p.id, engine) }
        joinWaitingOrphan(ref, id: p.id, model: row.model, engine)
        return .success(.stored)
    }

    /// A planned label.
    mutating func apply(_ row: Engine.PlannedRow, feedback f: Feedback, _ engine: Engine) -> Engine.ShardResult {
        do throws(EventError) {
            return .success(try label(f, hash: row.hash, engine))
        } catch {
            return .failure(error)
        }
    }
}
