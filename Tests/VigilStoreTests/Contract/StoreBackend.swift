import Foundation
import Testing
import VigilStore

/// A store implementation the contract tests run against: each test gets a fresh, empty location that it can
/// open, close (by dropping the store) and open again.
struct StoreBackend: Sendable, CustomTestStringConvertible {
    var name: String
    /// A fresh location: ``StoreLocation/open(maxJobs:maxGates:)`` opens (or reopens) it, `remove` deletes it.
    var makeLocation: @Sendable () throws -> StoreLocation

    var testDescription: String { name }

    /// Runs `body` with a fresh location, removed afterwards (also when `body` throws).
    func withLocation(_ body: (StoreLocation) async throws -> Void) async throws {
        let location = try makeLocation()
        do {
            try await body(location)
        } catch {
            await location.remove()
            throw error
        }
        await location.remove()
    }

    /// Every backend available here: SQLite always, PostgreSQL when `VIGIL_TEST_POSTGRES_URL` names a server
    /// (`.ci/run` starts one; `scripts/start-postgres` prints its URL).
    static let all: [StoreBackend] = [.sqlite] + (postgres.map { [$0] } ?? [])

    static let sqlite = StoreBackend(name: "sqlite") {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigil-contract-\(UUID().uuidString)").path
        return StoreLocation(
            openWithLimits: { maxJobs, maxGates in
                var configuration = StoreConfiguration(directory: directory, synchronous: .off)
                configuration.maxJobs = maxJobs
                configuration.maxGates = maxGates
                return try SQLiteStore(configuration)
            },
            remove: { try? FileManager.default.removeItem(atPath: directory) })
    }

    /// Each location is a schema of its own in the test database, dropped by `remove`.
    static let postgres: StoreBackend? = ProcessInfo.processInfo.environment["VIGIL_TEST_POSTGRES_URL"].map { url in
        StoreBackend(name: "postgres") {
            let schema = "vigil_contract_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let location = try PostgresLocation(url: url + (url.contains("?") ? "&" : "?") + "schema=\(schema)")
            return StoreLocation(
                openWithLimits: { maxJobs, maxGates in
                    try await PostgresStore(location, maxJobs: maxJobs, maxGates: maxGates)
                },
                remove: { try? await PostgresStore.dropSchema(location) })
        }
    }
}

/// Where one test's store lives.
struct StoreLocation: Sendable {
    var openWithLimits: @Sendable (_ maxJobs: Int, _ maxGates: Int) async throws -> any Store
    var remove: @Sendable () async -> Void

    func open(maxJobs: Int = 10_000, maxGates: Int = 1_000) async throws -> any Store {
        try await openWithLimits(maxJobs, maxGates)
    }
}
