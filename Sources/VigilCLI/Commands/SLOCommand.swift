import ArgumentParser
import Foundation
import VigilCore

/// `vigil slo`: check an SLO file, print the SLO table of a running server, backtest an SLO.
struct SLOCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slo",
        abstract: "Check SLO files, report SLO status, backtest SLOs over stored history.",
        subcommands: [
            SLOReportCommand.self, SLOBacktestCommand.self, SLOValidateCommand.self, SLOApplyCommand.self,
        ])
}

/// Where the server is, shared by the subcommands that ask it.
struct ServerOptions: ParsableArguments {
    @Option(help: "The Vigil server (default $VIGIL_URL or http://127.0.0.1:8080).") var server: String?
    @Option(help: "Bearer token with read scope (default $VIGIL_TOKEN).") var token: String?

    var client: ServerClient {
        let env = ProcessInfo.processInfo.environment
        return ServerClient(
            baseURL: server ?? env["VIGIL_URL"] ?? "http://127.0.0.1:8080", token: token ?? env["VIGIL_TOKEN"])
    }
}

/// The parts of `GET /v1/slos` the table shows.
struct SLOEntry: Decodable {
    var slo: SLODefinition
    var status: SLOStatus?
    var alerts: [Alert]?
    var warnings: [String]
}

struct SLOReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Print every SLO's status: SLI with interval, budget, burn, verdict, alerts.")

    @OptionGroup var server: ServerOptions
    @Option(
        help: "Evaluate each SLO over its window ending at this time (ISO 8601), e.g. the end of replayed history; default now.")
    var at: String?
    @Flag(help: "Print the server's JSON instead of a table.") var json = false

    func run() async throws {
        let body = try await server.client.get("/v1/slos", query: at.map { [("to", $0)] } ?? [])
        if json {
            print(String(decoding: body, as: UTF8.self))
            return
        }
        struct List: Decodable { var slos: [SLOEntry] }
        let list = try JSONDecoder().decode(List.self, from: body)
        print(SLOTable.render(list.slos))
    }
}

struct SLOBacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay an SLO and its alert rules over the server's stored history.",
        discussion: """
            Each step sees only the predictions made and the feedback arrived by then, so the alerts listed
            are the ones the server would have raised live. Defaults: the whole retained history, 1h steps.
            """)

    @OptionGroup var server: ServerOptions
    @Argument(help: "The SLO's name.") var name: String
    @Option(help: "First evaluation time (ISO 8601).") var from: String?
    @Option(help: "Last evaluation time (ISO 8601).") var to: String?
    @Option(help: "Time between evaluations (default 1h).") var step: String?
    @Flag(help: "Print the server's JSON instead of a summary.") var json = false

    func run() async throws {
        var query: [(String, String)] = []
        if let from { query.append(("from", from)) }
        if let to { query.append(("to", to)) }
        if let step { query.append(("step", step)) }
        let body = try await server.client.get("/v1/slos/\(name)/backtest", query: query)
        if json {
            print(String(decoding: body, as: UTF8.self))
            return
        }
        struct Response: Decodable { var backtest: SLOBacktest.Result }
        print(SLOTable.render(try JSONDecoder().decode(Response.self, from: body).backtest))
    }
}

/// `vigil slo apply FILE`: defines (or replaces) every SLO of a file on a running server, as
/// `vigil serve --slos FILE` does at start.
struct SLOApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Define every SLO of a YAML file on a running server (PUT /v1/slos/NAME each).")

    @OptionGroup var server: ServerOptions
    @Argument(help: "The YAML file (the format of `vigil serve --slos`).") var file: String

    func run() async throws {
        let slos: [SLODefinition]
        do {
            slos = try SLOFile.load(file)
        } catch {
            throw ValidationError("\(error)")
        }
        let encoder = JSONEncoder()
        for slo in slos {
            _ = try await server.client.send(
                "PUT", "/v1/slos/\(ServerClient.pathSegment(slo.name))", body: try encoder.encode(slo))
            print("\(slo.name): defined (\(slo.watched) \(slo.sli) \(slo.objective) over \(slo.window.windowText))")
        }
        print("\(slos.count) SLO(s) applied to \(server.client.baseURL)")
    }
}

struct SLOValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check an SLO file and print each SLO with its effective alert rules.")

    @Argument(help: "The YAML file.") var file: String

    func run() throws {
        let slos: [SLODefinition]
        do {
            slos = try SLOFile.load(file)
        } catch {
            throw ValidationError("\(error)")
        }
        for slo in slos {
            print(
                "\(slo.name): \(slo.watched) \(slo.sli) \(slo.objective) over \(slo.window.windowText), min_samples \(slo.minSamples)"
            )
            for r in slo.rules {
                if let b = r.burnRate {
                    print(
                        "  \(r.name) [\(r.severity)]: burn ≥ \(b)× over \(r.longWindow?.windowText ?? "?")\(r.shortWindow.map { " and \($0.windowText)" } ?? "")"
                    )
                } else {
                    print(
                        "  \(r.name) [\(r.severity)]: \(slo.sli) \(slo.objective) held for \(r.forDuration.windowText)")
                }
            }
            for w in slo.warnings { print("  warning: \(w)") }
        }
        print("\(slos.count) SLO(s) OK")
    }
}
