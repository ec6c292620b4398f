/// How much metadata every store keeps: past these the oldest entries go, or a new one is refused (see
/// `docs/limits.md`). The same for every backend, so moving from SQLite to PostgreSQL changes no answer.
public enum StoreLimits {
    /// Change-timeline entries kept per model, the newest.
    public static let changesPerModel = 10_000
    /// Flags kept per model, and listed predictions over all of a model's flags.
    public static let flagsPerModel = 1_000
    public static let flaggedPredictionsPerModel = 100_000
    /// Checks kept per gate, the newest.
    public static let checksPerGate = 10_000
    /// Gates one job may declare.
    public static let gatesPerJob = 16
    /// Runs kept per job (dataset links go with their run), the newest.
    public static let runsPerJob = 10_000
    /// Heartbeats kept per job, the newest.
    public static let heartbeatsPerJob = 10_000
}
