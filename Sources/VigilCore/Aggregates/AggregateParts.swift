/// Which optional parts of an ``Aggregate`` a query needs merged; the rest is skipped to keep queries cheap.
struct AggregateParts: OptionSet, Sendable, Hashable {
    let rawValue: Int
    static let histogram = AggregateParts(rawValue: 1)
    static let calibration = AggregateParts(rawValue: 2)
    static let lag = AggregateParts(rawValue: 4)
    static let custom = AggregateParts(rawValue: 8)
    static let all: AggregateParts = [.histogram, .calibration, .lag, .custom]
}
