import Foundation
import PostgresNIO
import VigilCore

/// Data gates and their checks, gates declared on jobs, and outputs flagged as bad (see ``LineageStore``).
extension PostgresStore {
    @discardableResult
    public func saveGate(_ gate: DataGate) async throws -> Bool {
        let body = try StoredDocument.encoder.encode(gate)
        return try await transaction { c in
            try await Self.lockLimits(c, logger)
            let existed = try await rows("SELECT EXISTS (SELECT 1 FROM gate WHERE name = \(gate.name))", on: c)[0]
                .decode(Bool.self)
            if !existed, try await rows("SELECT count(*) FROM gate", on: c)[0].decode(Int.self) >= maxGates {
                throw PipelineLimitReached.gate(gate.name, limit: maxGates)
            }
            try await c.query(
                """
                INSERT INTO gate (name, body, updated_ms) VALUES (\(gate.name), \(body), \(gate.updatedAt.milliseconds))
                ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_ms = excluded.updated_ms
                """, logger: logger)
            return !existed
        }
    }

    public func gate(_ name: String) async throws -> DataGate? {
        try await rows("SELECT body FROM gate WHERE name = \(name)").first.map {
            try StoredDocument.decoder.decode(DataGate.self, from: try $0.decode(Data.self))
        }
    }

    public func gates() async throws -> [DataGate] {
        try await rows("SELECT body FROM gate ORDER BY name").map {
            try StoredDocument.decoder.decode(DataGate.self, from: try $0.decode(Data.self))
        }
    }

    @discardableResult
    public func deleteGate(_ name: String) async throws -> Bool {
        try await transaction { c in
            try await c.query("DELETE FROM gate_check WHERE gate = \(name)", logger: logger)
            try await c.query("DELETE FROM job_gate WHERE gate = \(name)", logger: logger)
            return try await !rows("DELETE FROM gate WHERE name = \(name) RETURNING 1", on: c).isEmpty
        }
    }

    public func recordGateCheck(_ check: GateCheck) async throws -> GateCheck {
        let body = try StoredDocument.encoder.encode(check)
        return try await transaction { c in
            var stored = check
            stored.id = try await rows(
                """
                INSERT INTO gate_check (gate, at_ms, verdict, run_id, body)
                VALUES (\(check.gate), \(check.checkedAt.milliseconds), \(check.verdict.rawValue), \(check.runId), \(body))
                RETURNING id
                """, on: c)[0].decode(Int64.self)
            try await c.query(
                """
                DELETE FROM gate_check WHERE gate = \(check.gate) AND id <= (
                    SELECT id FROM gate_check WHERE gate = \(check.gate) ORDER BY id DESC LIMIT 1 OFFSET \(StoreLimits.checksPerGate))
                """, logger: logger)
            return stored
        }
    }

    public func gateChecks(gate: String?, runId: String?, limit: Int) async throws -> [GateCheck] {
        try await rows(
            """
            SELECT id, body FROM gate_check
            WHERE (\(gate)::text IS NULL OR gate = \(gate)) AND (\(runId)::text IS NULL OR run_id = \(runId))
            ORDER BY id DESC LIMIT \(limit)
            """
        ).map { row in
            let (id, body) = try row.decode((Int64, Data).self)
            var check = try StoredDocument.decoder.decode(GateCheck.self, from: body)
            check.id = id
            return check
        }
    }

    // MARK: - Gates declared on jobs

    public func setJobGates(_ job: JobRef, gates: [String], at: Timestamp) async throws {
        try await transaction { c in
            try await registerJob(job, at: at, c)
            try await c.query(
                "DELETE FROM job_gate WHERE namespace = \(job.namespace) AND name = \(job.name)", logger: logger)
            for gate in gates {
                try await c.query(
                    """
                    INSERT INTO job_gate (namespace, name, gate) VALUES (\(job.namespace), \(job.name), \(gate))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
        }
    }

    public func jobGates(_ job: JobRef) async throws -> [String] {
        try await rows(
            "SELECT gate FROM job_gate WHERE namespace = \(job.namespace) AND name = \(job.name) ORDER BY gate"
        ).map { try $0.decode(String.self) }
    }

    // MARK: - Flags

    public func saveFlag(_ flag: OutputFlag) async throws -> OutputFlag {
        let body = try StoredDocument.encoder.encode(flag)
        return try await transaction { c in
            try await Self.lockLimits(c, logger)
            let (flags, ids) = try await rows(
                "SELECT count(*), coalesce(sum(predictions), 0)::bigint FROM output_flag WHERE model = \(flag.model)",
                on: c)[0].decode((Int, Int).self)
            try FlagLimitReached.check(flag, flags: flags, flagged: ids)
            var stored = flag
            stored.id = try await rows(
                """
                INSERT INTO output_flag (model, at_ms, predictions, body)
                VALUES (\(flag.model), \(flag.flaggedAt.milliseconds), \(Int64(flag.predictions.count)), \(body))
                RETURNING id
                """, on: c)[0].decode(Int64.self)
            return stored
        }
    }

    public func flags(model: String) async throws -> [OutputFlag] {
        try await rows("SELECT id, body FROM output_flag WHERE model = \(model) ORDER BY id").map { row in
            let (id, body) = try row.decode((Int64, Data).self)
            var flag = try StoredDocument.decoder.decode(OutputFlag.self, from: body)
            flag.id = id
            return flag
        }
    }

    @discardableResult
    public func deleteFlag(_ id: Int64) async throws -> Bool {
        try await !rows("DELETE FROM output_flag WHERE id = \(id) RETURNING 1").isEmpty
    }
}
