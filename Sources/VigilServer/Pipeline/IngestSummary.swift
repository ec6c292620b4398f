import VigilCore

/// What a batch did: rows accepted (durable in the log, or already known), what each did, and the rejected rows.
public struct IngestSummary: Sendable, Codable, Hashable {
    /// Rows accepted: new ones, now durable, plus repeats of rows already accepted.
    public var accepted = 0
    /// Accepted rows that were already known (same id and content): counted once.
    public var duplicates = 0
    /// Accepted rows by effect: `stored`, `duplicate`, `labeled`, `confirmed`, `corrected`, `stale`, `orphaned`;
    /// and `segment_folded`, the stored rows with a segment value past its key's limit, counted as `__other__`.
    public var outcomes: [String: Int] = [:]
    public var rejected: [RowRejection] = []

    /// The `outcomes` key counting rows whose segment value was folded into `__other__`.
    public static let segmentFolded = "segment_folded"

    public init() {}

    mutating func count(_ outcome: IngestOutcome) {
        accepted += 1
        if outcome == .duplicate { duplicates += 1 }
        outcomes[outcome.rawValue, default: 0] += 1
    }
}
