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

    /// Every backend available here. SQLite always; a backend needing a server joins when its tests can reach one.
    static let all: [StoreBackend] = [.sqlite]

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
}

/// Where one test's store lives.
struct StoreLocation: Sendable {
    var openWithLimits: @Sendable (_ maxJobs: Int, _ maxGates: Int) throws -> any Store
    var remove: @Sendable () -> Void

    func open(maxJobs: Int = 10_000, maxGates: Int = 1_000) throws -> any Store {
        try openWithLimits(maxJobs, maxGates)
    }
}
