import HTTPTypes
import Synchronization
import VigilCore
import VigilStore

/// The SLO definitions: stored durably, read once, served from memory.
final class SLORegistry: Sendable {
    private let log: any Store
    private let definitions: Mutex<[String: SLODefinition]>

    init(log: any Store) async throws {
        self.log = log
        definitions = Mutex(Dictionary(uniqueKeysWithValues: try await log.slos().map { ($0.name, $0) }))
    }

    /// Reads the definitions again (a follower node: another node's writes change them).
    func reload() async throws {
        let stored = Dictionary(uniqueKeysWithValues: try await log.slos().map { ($0.name, $0) })
        definitions.withLock { $0 = stored }
    }

    /// Every SLO, by name.
    var all: [SLODefinition] { definitions.withLock { $0.values.sorted { $0.name < $1.name } } }

    func get(_ name: String) -> SLODefinition? { definitions.withLock { $0[name] } }

    /// Stores a definition (durably first); returns whether it is new.
    @discardableResult
    func put(_ slo: SLODefinition, at time: Timestamp) async throws(APIError) -> Bool {
        do {
            try await log.saveSLO(slo, at: time)
        } catch {
            throw APIError(.internalServerError, "storage_failed", "could not store SLO '\(slo.name)': \(error)")
        }
        return definitions.withLock { $0.updateValue(slo, forKey: slo.name) == nil }
    }

    /// Deletes a definition; returns whether there was one.
    func delete(_ name: String, at time: Timestamp) async throws(APIError) -> Bool {
        do {
            guard try await log.deleteSLO(name, at: time) else { return false }
        } catch {
            throw APIError(.internalServerError, "storage_failed", "could not delete SLO '\(name)': \(error)")
        }
        definitions.withLock { $0[name] = nil }
        return true
    }
}
