import Foundation
import GRDB
import VigilCore

/// Pipeline runs, jobs and datasets (OpenLineage): each event is merged into its run's document in one
/// transaction, so a 2xx means the merged run is durable.
extension SQLiteStore {
    /// Merges `event` into its run (creating the run and its job if new) and links its datasets; returns the
    /// run as stored.
    public func recordLineage(_ event: LineageEvent) async throws -> PipelineRun {
        try await pool.write { db in
            var run: PipelineRun
            if let body = try Data.fetchOne(
                db, sql: "SELECT body FROM lineage_run WHERE run_id = ?", arguments: [event.runId])
            {
                run = try StoredDocument.decoder.decode(PipelineRun.self, from: body)
                run.merge(event)
            } else {
                run = PipelineRun(event)
            }
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO lineage_run
                        (run_id, namespace, name, state, started_ms, updated_ms, ended_ms, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    run.runId, run.job.namespace, run.job.name, run.state.rawValue, run.startedAt.milliseconds,
                    run.updatedAt.milliseconds, run.endedAt?.milliseconds, try StoredDocument.encoder.encode(run),
                ])
            try Self.registerJob(run.job, at: run.startedAt, limit: configuration.maxJobs, db)
            for (role, datasets) in [("input", run.inputs), ("output", run.outputs)] {
                for d in datasets {
                    try db.execute(
                        sql: """
                            INSERT INTO lineage_dataset (namespace, name, run_id, role, at_ms) VALUES (?, ?, ?, ?, ?)
                            ON CONFLICT DO UPDATE SET at_ms = excluded.at_ms
                            """,
                        arguments: [d.namespace, d.name, run.runId, role, (run.endedAt ?? run.startedAt).milliseconds])
                }
            }
            try Self.pruneRuns(of: run.job, db)
            return run
        }
    }

    /// Records `job` as seen from `at` unless known; refuses a new one past `limit` (see ``admitJob``).
    static func registerJob(_ job: JobRef, at: Timestamp, limit: Int, _ db: Database) throws {
        try admitJob(job, limit: limit, db)
        try db.execute(
            sql: "INSERT OR IGNORE INTO lineage_job (namespace, name, first_ms) VALUES (?, ?, ?)",
            arguments: [job.namespace, job.name, at.milliseconds])
    }

    /// Refuses a job not seen before once `limit` jobs are kept (the transaction then records nothing).
    private static func admitJob(_ job: JobRef, limit: Int, _ db: Database) throws {
        let known =
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM lineage_job WHERE namespace = ? AND name = ?)",
                arguments: [job.namespace, job.name]) ?? false
        guard !known, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM lineage_job") ?? 0 >= limit else { return }
        throw PipelineLimitReached.job(job, limit: limit)
    }

    /// Drops a job's oldest runs past ``StoreLimits.runsPerJob``, with their dataset links.
    static func pruneRuns(of job: JobRef, _ db: Database) throws {
        let count =
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM lineage_run WHERE namespace = ? AND name = ?",
                arguments: [job.namespace, job.name]) ?? 0
        guard count > StoreLimits.runsPerJob else { return }
        let old = try String.fetchAll(
            db,
            sql: "SELECT run_id FROM lineage_run WHERE namespace = ? AND name = ? ORDER BY started_ms ASC LIMIT ?",
            arguments: [job.namespace, job.name, count - StoreLimits.runsPerJob])
        for id in old {
            try db.execute(sql: "DELETE FROM lineage_run WHERE run_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM lineage_dataset WHERE run_id = ?", arguments: [id])
        }
    }

    /// One run by id.
    public func pipelineRun(_ id: String) throws -> PipelineRun? {
        try pool.read { db in
            try Data.fetchOne(db, sql: "SELECT body FROM lineage_run WHERE run_id = ?", arguments: [id])
        }.map { try StoredDocument.decoder.decode(PipelineRun.self, from: $0) }
    }

    /// A job's runs, newest start first, at most `limit`.
    public func pipelineRuns(job: JobRef, limit: Int) throws -> [PipelineRun] {
        try pool.read { db in
            try Data.fetchAll(
                db,
                sql: "SELECT body FROM lineage_run WHERE namespace = ? AND name = ? ORDER BY started_ms DESC LIMIT ?",
                arguments: [job.namespace, job.name, limit])
        }.map { try StoredDocument.decoder.decode(PipelineRun.self, from: $0) }
    }

    /// Every job with its newest run, by namespace and name.
    public func pipelineJobs() throws -> [JobSummary] {
        let rows = try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT j.namespace, j.name, j.first_ms,
                        (SELECT COUNT(*) FROM lineage_run r WHERE r.namespace = j.namespace AND r.name = j.name) AS runs,
                        (SELECT body FROM lineage_run r WHERE r.namespace = j.namespace AND r.name = j.name
                            ORDER BY started_ms DESC LIMIT 1) AS latest,
                        (SELECT MAX(updated_ms) FROM lineage_run r WHERE r.namespace = j.namespace AND r.name = j.name
                            AND r.state = 'COMPLETE') AS success
                    FROM lineage_job j ORDER BY j.namespace, j.name
                    """)
        }
        return try rows.map { row in
            JobSummary(
                job: JobRef(namespace: row["namespace"], name: row["name"]),
                firstSeen: Timestamp(milliseconds: row["first_ms"]), runs: row["runs"],
                latest: try (row["latest"] as Data?).map {
                    try StoredDocument.decoder.decode(PipelineRun.self, from: $0)
                },
                lastSuccess: (row["success"] as Int64?).map(Timestamp.init(milliseconds:)))
        }
    }

    /// The runs that wrote (`output`) or read (`input`) a dataset, newest first, at most `limit` each.
    public func datasetRuns(namespace: String, name: String, role: String, limit: Int) throws -> [PipelineRun] {
        try pool.read { db in
            try Data.fetchAll(
                db,
                sql: """
                    SELECT r.body FROM lineage_dataset d JOIN lineage_run r ON r.run_id = d.run_id
                    WHERE d.namespace = ? AND d.name = ? AND d.role = ? ORDER BY d.at_ms DESC LIMIT ?
                    """,
                arguments: [namespace, name, role, limit])
        }.map { try StoredDocument.decoder.decode(PipelineRun.self, from: $0) }
    }
}
