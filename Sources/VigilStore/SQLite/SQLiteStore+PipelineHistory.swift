import Foundation
import GRDB
import VigilCore

/// Heartbeats, and the history pipeline SLIs are computed from (see ``PipelineHistory``).
extension SQLiteStore {
    /// Records that `job` was alive at `at` (registering the job if new); the oldest past
    /// ``StoreLimits.heartbeatsPerJob`` go.
    public func recordHeartbeat(_ job: JobRef, at: Timestamp) async throws {
        try await pool.write { db in
            try Self.registerJob(job, at: at, limit: configuration.maxJobs, db)
            try db.execute(
                sql: "INSERT INTO lineage_heartbeat (namespace, name, at_ms) VALUES (?, ?, ?)",
                arguments: [job.namespace, job.name, at.milliseconds])
            try db.execute(
                sql: """
                    DELETE FROM lineage_heartbeat WHERE namespace = ? AND name = ? AND id <= (
                        SELECT id FROM lineage_heartbeat WHERE namespace = ? AND name = ?
                        ORDER BY id DESC LIMIT 1 OFFSET ?)
                    """,
                arguments: [job.namespace, job.name, job.namespace, job.name, StoreLimits.heartbeatsPerJob])
        }
    }

    /// The newest heartbeat of a job.
    public func lastHeartbeat(_ job: JobRef) throws -> Timestamp? {
        try pool.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT MAX(at_ms) FROM lineage_heartbeat WHERE namespace = ? AND name = ?",
                arguments: [job.namespace, job.name])
        }.map(Timestamp.init(milliseconds:))
    }

    /// A job's runs and heartbeats.
    public func pipelineHistory(job: JobRef) throws -> PipelineHistory {
        try pool.read { db in
            let runs = try Row.fetchAll(
                db, sql: "SELECT started_ms, ended_ms, state FROM lineage_run WHERE namespace = ? AND name = ?",
                arguments: [job.namespace, job.name]
            ).map { row in
                PipelineHistory.Run(
                    startedAt: Timestamp(milliseconds: row["started_ms"]),
                    endedAt: (row["ended_ms"] as Int64?).map(Timestamp.init(milliseconds:)),
                    state: LineageEvent.State(rawValue: row["state"]) ?? .other)
            }
            let beats = try Int64.fetchAll(
                db, sql: "SELECT at_ms FROM lineage_heartbeat WHERE namespace = ? AND name = ?",
                arguments: [job.namespace, job.name])
            return PipelineHistory(runs: runs, heartbeats: beats.map(Timestamp.init(milliseconds:)))
        }
    }

    /// When completed runs wrote a dataset.
    public func pipelineHistory(dataset: DatasetRef) throws -> PipelineHistory {
        let writes = try pool.read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT r.ended_ms FROM lineage_dataset d JOIN lineage_run r ON r.run_id = d.run_id
                    WHERE d.namespace = ? AND d.name = ? AND d.role = 'output' AND r.state = 'COMPLETE'
                        AND r.ended_ms IS NOT NULL
                    """,
                arguments: [dataset.namespace, dataset.name])
        }
        return PipelineHistory(writes: writes.map(Timestamp.init(milliseconds:)))
    }

    /// A gate's checks.
    public func pipelineHistory(gate: String) throws -> PipelineHistory {
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT at_ms, verdict FROM gate_check WHERE gate = ?", arguments: [gate])
        }
        return PipelineHistory(
            checks: rows.map {
                PipelineHistory.Check(at: Timestamp(milliseconds: $0["at_ms"]), passed: $0["verdict"] == "pass")
            })
    }
}
