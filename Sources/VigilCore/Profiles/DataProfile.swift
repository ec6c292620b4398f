/// Column profiles by name: a model's merged profile over a window, or a reference (training data or a
/// chosen healthy period) that drift is measured against.
///
/// ```swift
/// var reference = DataProfile()
/// reference.add(features: ["trip_distance": .number(2.1), "payment_type": .string("card")])
/// let report = DriftReport(reference: reference, current: try engine.profile(model: "taxi-tip",
///                          window: .last(.seconds(7 * 86_400), now: now)).profile)
/// ```
public struct DataProfile: Sendable, Hashable, Codable {
    /// Rows profiled (the denominator of every column's missing rate).
    public internal(set) var rows: Int64 = 0
    /// Feature columns.
    public internal(set) var columns: [String: ColumnProfile] = [:]
    /// Model outputs: `score` (binary classifiers) and `prediction`.
    public internal(set) var outputs: [String: ColumnProfile] = [:]

    public init() {}

    /// Adds one row. A column absent from the row (or `null`) counts as missing.
    public mutating func add(
        features: [String: FeatureValue], outputs rowOutputs: [String: FeatureValue] = [:],
        limits: ProfileLimits = .reference
    ) {
        rows += 1
        for (name, value) in features { columns[name, default: ColumnProfile()].add(value, limits: limits) }
        for (name, value) in rowOutputs { outputs[name, default: ColumnProfile()].add(value, limits: limits) }
    }

    /// Merges another profile of the same columns (e.g. the next bucket).
    public mutating func merge(_ o: DataProfile, limits: ProfileLimits = .reference) {
        rows += o.rows
        for (name, c) in o.columns { columns[name, default: ColumnProfile()].merge(c, limits: limits) }
        for (name, c) in o.outputs { outputs[name, default: ColumnProfile()].merge(c, limits: limits) }
    }

    /// Rows in which `column` was absent or null.
    public func missing(_ profile: ColumnProfile?) -> Int64 { rows - (profile?.present ?? 0) }

    /// Approximate bytes held, for memory reports.
    public var footprint: Int {
        columns.values.reduce(0) { $0 + $1.footprint } + outputs.values.reduce(0) { $0 + $1.footprint }
    }
}
