/// The width of a bucket level.
public enum Resolution: Int, Sendable, CaseIterable, Codable {
    case minute, hour, day

    /// Width in milliseconds.
    public var milliseconds: Int64 {
        switch self {
        case .minute: return 60_000
        case .hour: return 3_600_000
        case .day: return 86_400_000
        }
    }
}
