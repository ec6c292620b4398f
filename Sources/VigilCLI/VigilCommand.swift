import ArgumentParser

/// The `vigil` command line.
public struct VigilCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Monitor machine-learning models in production: late labels, windowed metrics, SLOs.",
        subcommands: [
            ServeCommand.self, ReplayCommand.self, RulesCommand.self, SLOCommand.self, CompareCommand.self, MLflowCommand.self, GateCommand.self,
            BenchCommand.self, ProfileBenchCommand.self, ShardBenchCommand.self, PendingBenchCommand.self,
        ])

    public init() {}
}

extension VigilCommand {
    /// Parses the process arguments and runs the chosen subcommand (the executable's entry point).
    public static func runFromCommandLine() async {
        await main()
    }
}
