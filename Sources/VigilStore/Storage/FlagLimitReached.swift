/// A flag past the store's limits (``StoreLimits/flagsPerModel``, ``StoreLimits/flaggedPredictionsPerModel``).
public struct FlagLimitReached: Error, Sendable {
    public var message: String
}
