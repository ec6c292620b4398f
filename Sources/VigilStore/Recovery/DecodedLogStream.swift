import Foundation
import VigilCore

/// The log after a position, read and decoded on a thread of its own a few chunks ahead of the caller, so
/// that decoding (serial) overlaps applying the entries (the engine's shards side by side) during recovery.
///
/// ```swift
/// let stream = DecodedLogStream(log: log, after: sequence)
/// defer { stream.cancel() }
/// while let chunk = try stream.next() { for (seq, entry) in chunk { … } }
/// ```
final class DecodedLogStream: @unchecked Sendable {
    // Safe to share: every stored property below is read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var chunks: [[(Int64, LogEntry)]] = []
    private var finished = false
    private var cancelled = false
    private var failure: (any Error)?

    /// Entries per chunk, and chunks decoded ahead of the caller at most.
    static let chunkSize = 4096
    static let ahead = 4

    private struct Cancelled: Error {}

    init(log: EventLog, after sequence: Int64) {
        let thread = Thread { [self] in produce(log, after: sequence) }
        thread.name = "vigil-log-decoder"
        thread.start()
    }

    /// The next chunk of (batch position, entry) in log order; `nil` at the end. Rethrows a read failure.
    func next() throws -> [(Int64, LogEntry)]? {
        condition.lock()
        defer { condition.unlock() }
        while chunks.isEmpty && !finished { condition.wait() }
        if let failure { throw failure }
        guard !chunks.isEmpty else { return nil }
        let chunk = chunks.removeFirst()
        condition.broadcast()
        return chunk
    }

    /// Stops the reader (the caller is done, or failed).
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    private func produce(_ log: EventLog, after sequence: Int64) {
        var chunk: [(Int64, LogEntry)] = []
        chunk.reserveCapacity(Self.chunkSize)
        do {
            try log.forEachRecord(after: sequence) { seq, bytes in
                try LogCodec.decode(bytes) { chunk.append((seq, $0)) }
                if chunk.count >= Self.chunkSize {
                    try push(chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty { try push(chunk) }
            finish(nil)
        } catch is Cancelled {
            finish(nil)
        } catch {
            finish(error)
        }
    }

    private func push(_ chunk: [(Int64, LogEntry)]) throws {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count >= Self.ahead && !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        chunks.append(chunk)
        condition.broadcast()
    }

    private func finish(_ error: (any Error)?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }
}
