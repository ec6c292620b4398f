import Foundation
import GRDB
import VigilCore

/// Gates declared on a job: every output of its completed runs must pass them.
extension SQLiteStore {
    /// Replaces the gates declared on `job` (registering the job if new).
    public func setJobGates(_ job: JobRef, gates: [String], at: Timestamp) async throws {
        try await pool.write { db in
            try Self.registerJob(job, at: at, limit: configuration.maxJobs, db)
            try db.execute(
                sql: "DELETE FROM job_gate WHERE namespace = ? AND name = ?", arguments: [job.namespace, job.name])
            for gate in gates {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO job_gate (namespace, name, gate) VALUES (?, ?, ?)",
                    arguments: [job.namespace, job.name, gate])
            }
        }
    }

    /// The gates declared on `job`, by name.
    public func jobGates(_ job: JobRef) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT gate FROM job_gate WHERE namespace = ? AND name = ? ORDER BY gate",
                arguments: [job.namespace, job.name])
        }
    }

}
