import VigilCLI

/// The `vigil` executable: a thin entry point over ``VigilCommand``.
@main
struct VigilMain {
    static func main() async {
        await VigilCommand.runFromCommandLine()
    }
}
