/// The bounds that keep a column profile's memory fixed whatever the traffic.
public struct ProfileLimits: Sendable, Hashable, Codable {
    /// Distinct numbers counted exactly per bucket; past it the bucket switches to a ``QuantileSketch``
    /// (1% relative error) and a ``HyperLogLog`` distinct count. Default 2,048.
    public var exactValues = 2048
    /// Distinct categories counted exactly per bucket; past it a ``FrequentItems`` summary. Default 1,024.
    public var exactCategories = 1024

    public init(exactValues: Int = 2048, exactCategories: Int = 1024) {
        self.exactValues = exactValues
        self.exactCategories = exactCategories
    }

    /// The limits of a reference profile: one per model, so it can afford to stay exact longer.
    public static let reference = ProfileLimits(exactValues: 100_000, exactCategories: 10_000)
    /// No limit: query-time merges, which are transient, stay exact while every bucket is.
    static let unbounded = ProfileLimits(exactValues: .max, exactCategories: .max)
}
