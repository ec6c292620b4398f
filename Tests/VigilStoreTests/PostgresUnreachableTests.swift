import Foundation
import Testing
import VigilStore

/// A PostgreSQL that cannot be reached is a ``StorageError`` naming it, not a request queued by the connection
/// pool until its circuit breaker trips a minute later (a write would hang that long instead of getting a 503).
@Suite struct PostgresUnreachableTests {
    @Test func anUnreachableServerIsAStorageErrorThatSaysSo() async throws {
        // A port nothing listens on: bound, then closed.
        let socket = try #require(Self.closedPort())
        let location = try PostgresLocation(url: "postgres://vigil@127.0.0.1:\(socket)/vigil?sslmode=disable")
        do {
            _ = try await PostgresStore(location)
            Issue.record("opened a store on a closed port")
        } catch let error as StorageError {
            #expect(error.reason.contains("PostgreSQL gave no connection"), "\(error.reason)")
        }
    }

    /// A loopback port that was free a moment ago.
    static func closedPort() -> Int? {
        let fd = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
