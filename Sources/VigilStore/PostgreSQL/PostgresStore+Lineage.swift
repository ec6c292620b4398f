import Foundation
import PostgresNIO
import VigilCore

/// Pipeline runs, jobs, datasets and heartbeats (see ``LineageStore``), bounded as in ``SQLiteStore``.
extension PostgresStore {
    public func recordLineage(_ event: LineageEvent) async throws -> PipelineRun {
        try await transaction { c in
            // The run's row is locked while it is merged, so two events of one run do not lose each other.
            var run: PipelineRun
            if let body = try await rows(
                "SELECT body FROM lineage_run WHERE run_id = \(event.runId) FOR UPDATE", on: c
            ).first?.decode(Data.self) {
                run = try StoredDocument.decoder.decode(PipelineRun.self, from: body)
                run.merge(event)
            } else {
                run = PipelineRun(event)
            }
            try await registerJob(run.job, at: run.startedAt, c)
            let body = try StoredDocument.encoder.encode(run)
            try await c.query(
                """
                INSERT INTO lineage_run (run_id, namespace, name, state, started_ms, updated_ms, ended_ms, body)
                VALUES (\(run.runId), \(run.job.namespace), \(run.job.name), \(run.state.rawValue),
                    \(run.startedAt.milliseconds), \(run.updatedAt.milliseconds), \(run.endedAt?.milliseconds), \(body))
                ON CONFLICT (run_id) DO UPDATE SET namespace = excluded.namespace, name = excluded.name,
                    state = excluded.state, started_ms = excluded.started_ms, updated_ms = excluded.updated_ms,
                    ended_ms = excluded.ended_ms, body = excluded.body
                """, logger: logger)
            let at = (run.endedAt ?? run.startedAt).milliseconds
            for (role, datasets) in [("input", run.inputs), ("output", run.outputs)] {
                for d in datasets {
                    try await c.query(
                        """
                        INSERT INTO lineage_dataset (namespace, name, run_id, role, at_ms)
                        VALUES (\(d.namespace), \(d.name), \(run.runId), \(role), \(at))
                        ON CONFLICT (namespace, name, run_id, role) DO UPDATE SET at_ms = excluded.at_ms
                        """, logger: logger)
                }
            }
            try await pruneRuns(of: run.job, c)
            return run
        }
    }

    /// Records `job` as seen from `at` unless known; refuses a new one past ``maxJobs`` (the transaction then
    /// records nothing). Holds the limits lock to the end of the transaction.
    func registerJob(_ job: JobRef, at: Timestamp, _ c: PostgresConnection) async throws {
        let known = try await rows(
            "SELECT EXISTS (SELECT 1 FROM lineage_job WHERE namespace = \(job.namespace) AND name = \(job.name))",
            on: c)[0].decode(Bool.self)
        if known { return }
        try await Self.lockLimits(c, logger)
        let count = try await rows("SELECT count(*) FROM lineage_job", on: c)[0].decode(Int.self)
        guard count < maxJobs else {
            throw PipelineLimitReached.job(job, limit: maxJobs)
        }
        try await c.query(
            """
            INSERT INTO lineage_job (namespace, name, first_ms) VALUES (\(job.namespace), \(job.name), \(at.milliseconds))
            ON CONFLICT (namespace, name) DO NOTHING
            """, logger: logger)
    }

    /// Drops a job's oldest runs past ``StoreLimits/runsPerJob``, with their dataset links.
    private func pruneRuns(of job: JobRef, _ c: PostgresConnection) async throws {
        let count = try await rows(
            "SELECT count(*) FROM lineage_run WHERE namespace = \(job.namespace) AND name = \(job.name)", on: c)[0]
            .decode(Int.self)
        guard count > StoreLimits.runsPerJob else { return }
        let old = try await rows(
            """
            SELECT run_id FROM lineage_run WHERE namespace = \(job.namespace) AND name = \(job.name)
            ORDER BY started_ms ASC LIMIT \(count - StoreLimits.runsPerJob)
            """, on: c
        ).map { try $0.decode(String.self) }
        try await c.query("DELETE FROM lineage_run WHERE run_id = ANY(\(old))", logger: logger)
        try await c.query("DELETE FROM lineage_dataset WHERE run_id = ANY(\(old))", logger: logger)
    }

    private func runs(_ rows: [PostgresRow]) throws -> [PipelineRun] {
        try rows.map { try StoredDocument.decoder.decode(PipelineRun.self, from: try $0.decode(Data.self)) }
    }

    public func pipelineRun(_ id: String) async throws -> PipelineRun? {
        try runs(try await rows("SELECT body FROM lineage_run WHERE run_id = \(id)")).first
    }

    public func pipelineRuns(job: JobRef, limit: Int) async throws -> [PipelineRun] {
        try runs(
            try await rows(
                """
                SELECT body FROM lineage_run WHERE namespace = \(job.namespace) AND name = \(job.name)
                ORDER BY started_ms DESC LIMIT \(limit)
                """))
    }

    public func pipelineJobs() async throws -> [JobSummary] {
        try await rows(
            """
            SELECT j.namespace, j.name, j.first_ms,
                (SELECT count(*) FROM lineage_run r WHERE r.namespace = j.namespace AND r.name = j.name),
                (SELECT body FROM lineage_run r WHERE r.namespace = j.namespace AND r.name = j.name
                    ORDER BY started_ms DESC LIMIT 1),
                (SELECT max(updated_ms) FROM lineage_run r WHERE r.namespace = j.namespace AND r.name = j.name
                    AND r.state = 'COMPLETE')
            FROM lineage_job j ORDER BY j.namespace, j.name
            """
        ).map { row in
            let (namespace, name, first, runs, latest, success) = try row.decode(
                (String, String, Int64, Int, Data?, Int64?).self)
            return JobSummary(
                job: JobRef(namespace: namespace, name: name), firstSeen: Timestamp(milliseconds: first), runs: runs,
                latest: try latest.map { try StoredDocument.decoder.decode(PipelineRun.self, from: $0) },
                lastSuccess: success.map(Timestamp.init(milliseconds:)))
        }
    }

    public func datasetRuns(namespace: String, name: String, role: String, limit: Int) async throws -> [PipelineRun] {
        try runs(
            try await rows(
                """
                SELECT r.body FROM lineage_dataset d JOIN lineage_run r ON r.run_id = d.run_id
                WHERE d.namespace = \(namespace) AND d.name = \(name) AND d.role = \(role)
                ORDER BY d.at_ms DESC LIMIT \(limit)
                """))
    }

    // MARK: - Heartbeats and history

    public func recordHeartbeat(_ job: JobRef, at: Timestamp) async throws {
        try await transaction { c in
            try await registerJob(job, at: at, c)
            try await c.query(
                """
                INSERT INTO lineage_heartbeat (namespace, name, at_ms) VALUES (\(job.namespace), \(job.name), \(at.milliseconds))
                """, logger: logger)
            try await c.query(
                """
                DELETE FROM lineage_heartbeat WHERE namespace = \(job.namespace) AND name = \(job.name) AND id <= (
                    SELECT id FROM lineage_heartbeat WHERE namespace = \(job.namespace) AND name = \(job.name)
                    ORDER BY id DESC LIMIT 1 OFFSET \(StoreLimits.heartbeatsPerJob))
                """, logger: logger)
        }
    }

    public func lastHeartbeat(_ job: JobRef) async throws -> Timestamp? {
        try await rows(
            "SELECT max(at_ms) FROM lineage_heartbeat WHERE namespace = \(job.namespace) AND name = \(job.name)"
        )[0].decode(Int64?.self).map(Timestamp.init(milliseconds:))
    }

    public func pipelineHistory(job: JobRef) async throws -> PipelineHistory {
        try await transaction(isolation: "REPEATABLE READ") { c in
            let runs = try await rows(
                """
                SELECT started_ms, ended_ms, state FROM lineage_run
                WHERE namespace = \(job.namespace) AND name = \(job.name) ORDER BY run_id
                """, on: c
            ).map { row in
                let (started, ended, state) = try row.decode((Int64, Int64?, String).self)
                return PipelineHistory.Run(
                    startedAt: Timestamp(milliseconds: started), endedAt: ended.map(Timestamp.init(milliseconds:)),
                    state: LineageEvent.State(rawValue: state) ?? .other)
            }
            let beats = try await rows(
                """
                SELECT at_ms FROM lineage_heartbeat WHERE namespace = \(job.namespace) AND name = \(job.name)
                ORDER BY id
                """, on: c
            ).map { Timestamp(milliseconds: try $0.decode(Int64.self)) }
            return PipelineHistory(runs: runs, heartbeats: beats)
        }
    }

    public func pipelineHistory(dataset: DatasetRef) async throws -> PipelineHistory {
        let writes = try await rows(
            """
            SELECT r.ended_ms FROM lineage_dataset d JOIN lineage_run r ON r.run_id = d.run_id
            WHERE d.namespace = \(dataset.namespace) AND d.name = \(dataset.name) AND d.role = 'output'
                AND r.state = 'COMPLETE' AND r.ended_ms IS NOT NULL
            ORDER BY r.run_id
            """
        ).map { Timestamp(milliseconds: try $0.decode(Int64.self)) }
        return PipelineHistory(writes: writes)
    }

    public func pipelineHistory(gate: String) async throws -> PipelineHistory {
        let checks = try await rows("SELECT at_ms, verdict FROM gate_check WHERE gate = \(gate) ORDER BY id").map {
            let (at, verdict) = try $0.decode((Int64, String).self)
            return PipelineHistory.Check(at: Timestamp(milliseconds: at), passed: verdict == "pass")
        }
        return PipelineHistory(checks: checks)
    }
}
