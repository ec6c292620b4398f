import Foundation
import VigilCore

/// A notification waiting for delivery: stored in the same transaction as the alert change that causes it,
/// so a crash can neither lose it nor send one for a change that was not saved. Delivered at least once;
/// `key` is unique, and receivers deduplicate on it.
public struct OutboxMessage: Sendable, Hashable {
    /// Row id (assigned by the store; 0 before).
    public var id: Int64 = 0
    /// Where it goes: `webhook` or `alertmanager`.
    public var target: String
    /// The idempotency key: the same transition always has the same key.
    public var key: String
    public var body: Data
    public var createdAt: Timestamp
    public var attempts = 0

    public init(target: String, key: String, body: Data, createdAt: Timestamp) {
        self.target = target
        self.key = key
        self.body = body
        self.createdAt = createdAt
    }
}
