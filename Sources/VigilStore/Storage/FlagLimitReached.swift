import VigilCore

/// A flag past the store's limits (``StoreLimits/flagsPerModel``, ``StoreLimits/flaggedPredictionsPerModel``).
public struct FlagLimitReached: Error, Sendable {
    public var message: String

    /// Refuses `flag` if its model already has `flags` flags listing `flagged` predictions and one more would
    /// pass a limit (every store checks the same way, inside the transaction that would record it).
    static func check(_ flag: OutputFlag, flags: Int, flagged: Int) throws(FlagLimitReached) {
        guard flags < StoreLimits.flagsPerModel else {
            throw FlagLimitReached(
                message: "model '\(flag.model)' has \(flags) flags; at most \(StoreLimits.flagsPerModel) are kept")
        }
        guard flagged + flag.predictions.count <= StoreLimits.flaggedPredictionsPerModel else {
            throw FlagLimitReached(
                message:
                    "model '\(flag.model)' would have \(flagged + flag.predictions.count) flagged predictions; at most \(StoreLimits.flaggedPredictionsPerModel)"
            )
        }
    }
}
