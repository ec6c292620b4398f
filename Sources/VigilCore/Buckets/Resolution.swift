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

    /// `1m`, `1h`, `1d`.
    public var text: String {
        switch self {
        case .minute: return "1m"
        case .hour: return "1h"
        case .day: return "1d"
        }
    }

    /// The coarsest resolution whose bucket edges include every one of `times` (milliseconds since the epoch,
    /// or durations): `.day` if all are whole days, `.hour` if all are whole hours, `.minute` otherwise.
    public static func coarsest(aligning times: [Int64]) -> Resolution {
        for r in [Resolution.day, .hour] where times.allSatisfy({ $0 % r.milliseconds == 0 }) { return r }
        return .minute
    }
}
