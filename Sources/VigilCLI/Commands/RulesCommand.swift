import ArgumentParser
import Foundation
import VigilCore

/// `vigil rules`: validation rules for a model's columns.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Validation rules for data quality and drift.",
        subcommands: [Suggest.self])

    /// `vigil rules suggest`: infers rules from a reference file and prints them as JSON.
    struct Suggest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Infer validation rules (types, missing rates, ranges, categories, drift thresholds) from a reference.",
            discussion: """
                Prints the rules as JSON, ready to edit and upload with PUT /v1/models/{model}/rules or to pass
                to 'vigil replay --rules'.

                Example:
                  vigil rules suggest --reference reference.csv > rules.json
                """)

        @Option(help: "Reference rows (CSV or NDJSON).") var reference: String
        @Option(help: "The model's task (binary, multiclass or regression), for how 'prediction' is typed.")
        var task: String?

        func run() throws {
            let bytes = try ReplayRunner.read(reference)
            let task = try self.task.map { (t: String) throws -> ModelTask in
                guard let task = ModelTask(rawValue: t) else {
                    throw ValidationError("--task must be binary, multiclass or regression")
                }
                return task
            }
            let table: ReferenceTable
            do {
                table = try ReferenceTable(bytes: bytes, task: task)
            } catch {
                throw ValidationError("--reference \(reference): \(error.description)")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(RuleSet.suggested(from: table.profile))
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }
}
