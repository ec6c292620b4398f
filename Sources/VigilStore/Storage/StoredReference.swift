import VigilCore

/// A model's reference profile, with where it came from.
public struct StoredReference: Sendable, Codable {
    public enum Source: Sendable, Codable, Hashable {
        /// Rows uploaded as CSV or NDJSON.
        case upload(format: ReferenceTable.Format)
        /// A window of the model's served predictions.
        case window(from: Timestamp, to: Timestamp, version: String?)
    }

    public var source: Source
    public var createdAt: Timestamp
    public var profile: DataProfile

    public init(source: Source, createdAt: Timestamp, profile: DataProfile) {
        self.source = source
        self.createdAt = createdAt
        self.profile = profile
    }
}
