import Foundation

/// A snapshot as read back: its log position and its bytes (memory-mapped for a file).
public struct StoredSnapshot: Sendable {
    public var sequence: Int64
    public var body: Data

    public init(sequence: Int64, body: Data) {
        self.sequence = sequence
        self.body = body
    }
}
