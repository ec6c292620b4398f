import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive lock on a data directory, held for the life of the process that opened the store.
///
/// Two servers appending to one SQLite log interleave sequence numbers and the first fails for good, so the
/// second refuses to start. The lock is `flock(2)` on `LOCK` in the directory: the kernel releases it when
/// the process exits, however it exits, so a SIGKILLed server never leaves a stale lock behind. The file
/// holds the holder's pid, for the error message.
public final class DataDirectoryLock: Sendable {
    private let descriptor: Int32
    public let path: String

    /// The directory is in use by another process.
    public struct Busy: Error, CustomStringConvertible {
        public var directory: String
        public var holder: String

        public var description: String {
            "the data directory '\(directory)' is in use by another Vigil server (\(holder)); stop it or choose another --data directory"
        }
    }

    public init(directory: String) throws {
        path = (directory as NSString).appendingPathComponent("LOCK")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        guard Self.acquire(fd, path: path) else {
            let holder = Self.holder(path)
            close(fd)
            throw Busy(directory: directory, holder: holder.map { $0.isEmpty ? "pid unknown" : $0 } ?? "pid unknown")
        }
        descriptor = fd
        let note = "pid \(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    /// Takes the lock at once; when this very process holds it (a server being replaced in-process, as tests
    /// and embedders do), waits up to 10 s for the old one to close its store.
    private static func acquire(_ fd: Int32, path: String) -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard holder(path) == "pid \(getpid())", ContinuousClock.now < deadline else { return false }
            usleep(20_000)
        }
        return true
    }

    private static func holder(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
