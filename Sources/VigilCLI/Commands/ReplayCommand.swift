import ArgumentParser
import Foundation
import VigilCore

/// `vigil replay`: runs recorded predictions and feedback through the engine and prints a report.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay prediction and feedback files through the engine and report metrics.",
        discussion: """
            Files are CSV or NDJSON (detected from the first byte). Events are replayed in time order:
            predictions by event time, feedback by arrival time. Bad rows are reported with their line
            numbers and never silently skipped.

            Examples:
              vigil replay --predictions predictions.csv --feedback feedback.csv --by version
              vigil replay --predictions p.csv --feedback f.csv --step 1d --metrics accuracy,recall --format csv
              vigil replay --predictions p.csv --feedback f.csv --from 2020-02-10T00:00:00Z \\
                  --to 2020-02-11T00:00:00Z --as-of 2020-02-11T00:00:00Z --format json
              vigil replay --predictions p.csv --reference reference.csv --from 2020-02-23T00:00:00Z
            """)

    @Option(help: "Predictions file (CSV or NDJSON).") var predictions: String
    @Option(help: "Feedback file (CSV or NDJSON): id, timestamp (arrival), label.") var feedback: String?
    @Option(help: "Window start (ISO 8601, inclusive), by prediction time.") var from: String?
    @Option(help: "Window end (ISO 8601, exclusive); default: just after the last prediction.") var to: String?
    @Option(help: "Sliding window ending at --to, e.g. 1d or 7d.") var window: String?
    @Option(help: "Also report a calendar series with this step, e.g. 1h or 1d.") var step: String?
    @Option(help: "Comma-separated metric names (default: all for the model's task).") var metrics: String?
    @Option(help: "Break down by 'version' or by a segment tag key (repeatable).") var by: [String] = []
    @Option(name: .customLong("as-of"), help: "Use only feedback that arrived at or before this time.") var asOf:
        String?
    @Option(help: "Output format: table, json or csv.") var format: String = "table"
    @Option(help: "CSV column to treat as a segment tag rather than a feature (repeatable).") var segment: [String] = []
    @Option(name: .customLong("metric"), help: "Custom metric name=expression (repeatable).") var customMetrics:
        [String] = []
    @Option(help: "Report only this model.") var model: String?
    @Option(name: .customLong("model-name"), help: "Model name for rows without a model column.") var modelName: String?
    @Option(help: "Declare the task: binary, multiclass or regression (default: inferred).") var task: String?
    @Option(help: "Comma-separated class order for multiclass models.") var classes: String?
    @Option(name: .customLong("label-horizon"), help: "How long predictions wait for labels (default 30d).")
    var labelHorizon: String?
    @Option(help: "Reference rows (CSV or NDJSON): adds drift and data-quality sections for the window.")
    var reference: String?
    @Option(help: "Engine shards, run side by side (default: one per core, at most 64).") var shards: Int?
    @Option(help: "Validation rules (JSON from 'vigil rules suggest'); default: suggested from --reference.")
    var rules: String?

    init() {}

    func options() throws -> ReplayOptions {
        var o = ReplayOptions(predictions: predictions, feedback: feedback)
        o.from = try from.map { try Timestamp(iso8601: $0) }
        o.to = try to.map { try Timestamp(iso8601: $0) }
        o.asOf = try asOf.map { try Timestamp(iso8601: $0) }
        o.window = try window.map { try Duration(window: $0) }
        o.step = try step.map { try Duration(window: $0) }
        o.metrics = metrics.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        o.by = by
        guard let f = ReplayOptions.Format(rawValue: format) else {
            throw ValidationError("--format must be table, json or csv")
        }
        o.format = f
        o.segmentColumns = segment
        o.customMetrics = customMetrics
        o.model = model
        o.defaultModel = modelName
        if let task {
            guard let t = ModelTask(rawValue: task) else {
                throw ValidationError("--task must be binary, multiclass or regression")
            }
            o.task = t
        }
        o.classes = classes.map { $0.split(separator: ",").map(String.init) } ?? []
        if let labelHorizon { o.configuration.labelHorizon = try Duration(window: labelHorizon) }
        let cores = min(64, max(1, ProcessInfo.processInfo.activeProcessorCount))
        guard (1...64).contains(shards ?? cores) else { throw ValidationError("--shards must be from 1 to 64") }
        o.configuration.shards = shards ?? cores
        guard rules == nil || reference != nil else { throw ValidationError("--rules needs --reference") }
        o.reference = reference
        o.rules = rules
        // Column profiles are read only by drift and quality, which need a reference: without one, the
        // replay skips them (a third of the work per row with 30 features).
        o.configuration.profiles = reference != nil
        return o
    }

    func run() throws {
        let output: ReplayRunner.Output
        do {
            output = try ReplayRunner(options: try options()).run()
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(error)")
        }
        FileHandle.standardOutput.write(Data(output.text.utf8))
        let rejected = output.report.rejected
        if !rejected.isEmpty {
            var message = "\(rejected.count) rows rejected:\n"
            for r in rejected.prefix(20) { message += "  \(r)\n" }
            if rejected.count > 20 {
                message += "  … and \(rejected.count - 20) more (all are listed in --format json)\n"
            }
            FileHandle.standardError.write(Data(message.utf8))
        }
    }
}
