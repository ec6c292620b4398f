import Foundation
import VigilCore
import VigilServer

/// Runs a replay: reads the files, feeds the engine in event-time order, and renders the report.
struct ReplayRunner {
    var options: ReplayOptions

    struct Output {
        var text: String
        var report: ReplayReport
        var engine: Engine
    }

    func run() throws -> Output {
        // Each file's rows are decoded and dropped before the next is read: only the events stay.
        var predictionFile = try InputFile(
            path: options.predictions, progress: ProgressReporter(label: "reading \(options.predictions)"))
        var rejected = predictionFile.errors
        let (predictions, predictionLines) = decodePredictions(predictionFile, &rejected)
        let predictionRows = predictionFile.rows.count + predictionFile.errors.count
        predictionFile.rows = []
        var feedbackFile = try options.feedback.map {
            try InputFile(path: $0, progress: ProgressReporter(label: "reading \($0)"))
        }
        rejected += feedbackFile?.errors ?? []
        let (feedback, feedbackLines) = decodeFeedback(feedbackFile, &rejected)
        let feedbackRows = (feedbackFile?.rows.count ?? 0) + (feedbackFile?.errors.count ?? 0)
        feedbackFile?.rows = []

        var engine = Engine(configuration: options.configuration)
        try prepare(&engine, models: Set(predictions.map(\.model)))
        let result = EventReplay(asOf: options.asOf).run(
            predictions: predictions, feedback: feedback, into: &engine, run: ShardWorkers.onCores)
        for r in result.rejected {
            let (file, lines) =
                r.source == .predictions
                ? (predictionFile.path, predictionLines) : (feedbackFile?.path ?? "", feedbackLines)
            rejected.append(
                RowError(
                    file: (file as NSString).lastPathComponent, line: lines[r.index], field: r.error.field,
                    message: r.error.message))
        }
        rejected.sort { ($0.file, $0.line) < ($1.file, $1.line) }

        var inputs: [String: JSONValue] = [
            "predictions": .object([
                "file": .string(options.predictions), "format": .string(predictionFile.format.rawValue),
                "rows": JSONValue(predictionRows),
            ])
        ]
        if let feedbackFile {
            inputs["feedback"] = .object([
                "file": .string(feedbackFile.path), "format": .string(feedbackFile.format.rawValue),
                "rows": JSONValue(feedbackRows),
                "after_as_of": JSONValue(result.feedbackAfterCutoff),
            ])
        }
        if let asOf = options.asOf { inputs["as_of"] = .string(asOf.iso8601) }
        let end = Self.endOfData(predictions)
        let report = ReplayReport(
            inputs: inputs, statistics: engine.statistics, rejected: rejected,
            models: try sections(engine, end: end, start: predictions.map(\.time).min()))
        let text: String
        switch options.format {
        case .json: text = try Self.render(report.json())
        case .csv: text = report.csv(metrics: options.metrics)
        case .table: text = report.table(metrics: options.metrics)
        }
        return Output(text: text, report: report, engine: engine)
    }

    private func decodePredictions(_ file: InputFile, _ rejected: inout [RowError]) -> ([Prediction], [Int]) {
        var decoder = EventDecoder(
            file: (file.path as NSString).lastPathComponent, segmentColumns: Set(options.segmentColumns))
        decoder.defaultModel = options.defaultModel
        // Features are read by drift and quality (with a reference) and by custom metrics, nothing else.
        decoder.keepFeatures = options.reference != nil || !options.customMetrics.isEmpty
        return Self.decode(file, &rejected) { row, line throws(RowError) in try decoder.prediction(row, line: line) }
    }

    private func decodeFeedback(_ file: InputFile?, _ rejected: inout [RowError]) -> ([Feedback], [Int]) {
        guard let file else { return ([], []) }
        let decoder = EventDecoder(file: (file.path as NSString).lastPathComponent)
        return Self.decode(file, &rejected) { row, line throws(RowError) in try decoder.feedback(row, line: line) }
    }

    /// Decodes every row, collecting the events with their line numbers and the rows that failed.
    private static func decode<Event>(
        _ file: InputFile, _ rejected: inout [RowError], _ decode: (InputRow, Int) throws(RowError) -> Event
    ) -> ([Event], [Int]) {
        var events: [Event] = []
        var lines: [Int] = []
        for (line, row) in file.rows {
            do {
                events.append(try decode(row, line))
                lines.append(line)
            } catch {
                rejected.append(error)
            }
        }
        return (events, lines)
    }

    private func prepare(_ engine: inout Engine, models: Set<String>) throws {
        for model in models.sorted() {
            if let task = options.task { try engine.declare(model: model, task: task, classes: options.classes) }
            for definition in options.customMetrics {
                guard let eq = definition.firstIndex(of: "=") else {
                    throw ValidationFailure("--metric takes name=expression, got '\(definition)'")
                }
                let name = definition[..<eq].trimmingCharacters(in: .whitespaces)
                let expression = String(definition[definition.index(after: eq)...])
                try engine.defineMetric(name, on: model, expression)
            }
        }
    }

    /// The minute after the last prediction: windows ending "now" include it.
    static func endOfData(_ predictions: [Prediction]) -> Timestamp? {
        guard let last = predictions.map(\.time).max() else { return nil }
        let minute = Resolution.minute.milliseconds
        let next = last.milliseconds + 1
        return Timestamp(milliseconds: (next + minute - 1) / minute * minute)
    }

    private func window(end: Timestamp?, start: Timestamp?) -> Window {
        let to = options.to ?? end ?? Timestamp(milliseconds: 0)
        if let length = options.window { return .last(length, now: to) }
        if options.from != nil || options.to != nil {
            return .range(from: options.from ?? start ?? to, to: to)
        }
        return .cumulative
    }

    private func sections(_ engine: Engine, end: Timestamp?, start: Timestamp?) throws -> [ReplayReport.ModelSection] {
        let window = window(end: end, start: start)
        var summaries = engine.modelSummaries.filter { $0.task != nil }
        if let only = options.model {
            summaries = summaries.filter { $0.name == only }
            guard !summaries.isEmpty else {
                throw ValidationFailure(
                    "no model '\(only)' in the input; models: \(engine.modelSummaries.map(\.name).sorted().joined(separator: ", "))"
                )
            }
        }
        let referenceBytes = try options.reference.map { try Self.read($0) }
        let rules = try options.rules.map { try Self.rules(Self.read($0), path: $0) }
        return try summaries.map { model in
            let names = try options.metrics.map { try metricNames($0, model: model) }
            var section = ReplayReport.ModelSection(
                model: model, overall: try engine.metrics(model: model.name, window: window, names: names))
            for dimension in options.by {
                if dimension == "version" {
                    for v in model.versions.sorted() {
                        section.groups.append(
                            (
                                "version", v,
                                try engine.metrics(model: model.name, window: window, version: v, names: names)
                            ))
                    }
                } else {
                    let values = engine.segments(model: model.name, key: dimension)
                    guard !values.isEmpty else {
                        throw ValidationFailure(
                            "--by \(dimension): no segment tag '\(dimension)' (mark a column as a tag with --segment \(dimension))"
                        )
                    }
                    for s in values {
                        section.groups.append(
                            (
                                dimension, s.value,
                                try engine.metrics(model: model.name, window: window, segment: s, names: names)
                            ))
                    }
                }
            }
            if let step = options.step, let first = start {
                let to = options.to ?? end ?? first
                let stepMs = step.milliseconds
                let from =
                    options.from ?? Timestamp(milliseconds: first.milliseconds.floorDivided(by: stepMs).0 * stepMs)
                section.series = try engine.metricSeries(
                    model: model.name, from: from, to: to, step: step, names: names)
            }
            if let referenceBytes {
                try profileSections(&section, engine, window: window, reference: referenceBytes, rules: rules)
            }
            if model.task == .binary {
                section.estimated = try engine.estimatedPerformance(model: model.name, window: window)
            }
            return section
        }
    }

    /// Metric names valid for this model (per-class names and confusion are requested by their base name).
    /// The drift and quality of `model` over `window` against the `--reference` rows.
    private func profileSections(
        _ section: inout ReplayReport.ModelSection, _ engine: Engine, window: Window, reference bytes: [UInt8],
        rules: RuleSet?
    ) throws {
        let reference: DataProfile
        do {
            reference = try ReferenceTable(bytes: bytes, task: section.model.task).profile
        } catch {
            throw ValidationFailure("--reference \(options.reference ?? ""): \(error.description)")
        }
        let current = try engine.profile(model: section.model.name, window: window).profile
        let effective = rules ?? RuleSet.suggested(from: reference)
        section.drift = DriftReport(reference: reference, current: current, rules: effective)
        section.quality = QualityReport(profile: current, rules: effective)
    }

    static func read(_ path: String) throws -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ValidationFailure("cannot read '\(path)': \(error.localizedDescription)")
        }
    }

    static func rules(_ bytes: [UInt8], path: String) throws -> RuleSet {
        let rules: RuleSet
        do {
            rules = try JSONDecoder().decode(RuleSet.self, from: Data(bytes))
        } catch {
            throw ValidationFailure("--rules \(path): not a rules document: \(error)")
        }
        guard rules.problems.isEmpty else {
            throw ValidationFailure("--rules \(path): \(rules.problems.joined(separator: "; "))")
        }
        return rules
    }

    private func metricNames(_ requested: [String], model: ModelSummary) throws -> [String] {
        requested.flatMap { name -> [String] in
            if model.task == .multiclass, ["precision", "recall", "f1", "support", "predicted"].contains(name) {
                return model.classes.map { "\(name).\($0)" }
            }
            return [name]
        }
    }

    static func render(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
