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
        // Rows are decoded as they are read: only the events stay. The feedback file is read on a thread of
        // its own, beside the predictions.
        let feedbackRead = options.feedback.map { path in Background { try Self.readFeedback(path) } }
        let predictionFile = try readPredictions()
        let feedbackFile = try feedbackRead?.value()
        let (predictions, predictionLines) = (predictionFile.events, predictionFile.lines)
        let (feedback, feedbackLines) = (feedbackFile?.events ?? [], feedbackFile?.lines ?? [])
        var rejected = predictionFile.rejected + (feedbackFile?.rejected ?? [])

        let end = Self.endOfData(predictions)
        let start = predictions.map(\.time).min()
        let questions = Questions(window: window(end: end, start: start), series: seriesRange(end: end, start: start))
        var engine = Engine(configuration: options.configuration.keepingBuckets(from: questions.finestEdge))
        try prepare(&engine, models: Set(predictions.map(\.model)))
        let result = EventReplay(asOf: options.asOf).run(
            predictions: predictions, feedback: feedback, into: &engine, run: ShardWorkers.onCores)
        for r in result.rejected {
            let (file, lines) =
                r.source == .predictions
                ? (predictionFile.path, predictionLines) : (feedbackFile?.path ?? "", feedbackLines)
            rejected.append(
                RowError(
                    file: Self.name(file), line: lines[r.index], field: r.error.field,
                    message: r.error.message))
        }
        rejected.sort { ($0.file, $0.line) < ($1.file, $1.line) }

        var inputs: [String: JSONValue] = [
            "predictions": .object([
                "file": .string(options.predictions), "format": .string(predictionFile.format.rawValue),
                "rows": JSONValue(predictionFile.rows),
            ])
        ]
        if let feedbackFile {
            inputs["feedback"] = .object([
                "file": .string(feedbackFile.path), "format": .string(feedbackFile.format.rawValue),
                "rows": JSONValue(feedbackFile.rows),
                "after_as_of": JSONValue(result.feedbackAfterCutoff),
            ])
        }
        if let asOf = options.asOf { inputs["as_of"] = .string(asOf.iso8601) }
        let report = ReplayReport(
            inputs: inputs, statistics: engine.statistics, rejected: rejected,
            models: try sections(engine, questions))
        let text: String
        switch options.format {
        case .json: text = try Self.render(report.json())
        case .csv: text = report.csv(metrics: options.metrics)
        case .table: text = report.table(metrics: options.metrics)
        }
        return Output(text: text, report: report, engine: engine)
    }

    /// A file's events, decoded as its rows were read, with the line of each and the rows refused.
    struct DecodedFile<Event> {
        var path: String
        var format = InputFile.Format.csv
        /// Rows in the file, refused ones included.
        var rows = 0
        var events: [Event] = []
        var lines: [Int] = []
        var rejected: [RowError] = []
    }

    private func readPredictions() throws -> DecodedFile<Prediction> {
        var decoder = EventDecoder(file: Self.name(options.predictions), segmentColumns: Set(options.segmentColumns))
        decoder.defaultModel = options.defaultModel
        // Features are read by drift and quality (with a reference) and by custom metrics, nothing else.
        decoder.keepFeatures = options.reference != nil || !options.customMetrics.isEmpty
        // The larger file is read in a part per core (the feedback file has a thread of its own beside it).
        let parts = ProcessInfo.processInfo.activeProcessorCount
        return try Self.read(options.predictions, parts: parts) { [decoder] row, line throws(RowError) in
            try decoder.prediction(row, line: line)
        }
    }

    private static func readFeedback(_ path: String) throws -> DecodedFile<Feedback> {
        let decoder = EventDecoder(file: name(path))
        return try read(path, parts: 1) { row, line throws(RowError) in try decoder.feedback(row, line: line) }
    }

    /// Reads `path` in up to `parts` parts side by side, decoding each row as it comes; events stay in file order.
    private static func read<Event>(
        _ path: String, parts: Int, _ decode: @escaping @Sendable (InputRow, Int) throws(RowError) -> Event
    ) throws -> DecodedFile<Event> {
        let decoded = (0..<max(1, parts)).map { _ in DecodedPart<Event>() }
        let file = try InputFile(path: path, parts: parts, progress: ProgressReporter(label: "reading \(path)")) {
            part, line, row in
            let out = decoded[part]
            do throws(RowError) {
                out.events.append(try decode(row, line))
                out.lines.append(line)
            } catch {
                out.rejected.append(error)
            }
        }
        var out = DecodedFile<Event>(path: path)
        out.format = file.format
        out.rows = file.rowCount + file.errors.count
        out.events.reserveCapacity(decoded.reduce(0) { $0 + $1.events.count })
        out.lines.reserveCapacity(out.events.capacity)
        for part in decoded {
            out.events += part.events
            out.lines += part.lines
            (part.events, part.lines) = ([], [])  // each part's copy is freed as soon as it is appended
        }
        out.rejected = file.errors + decoded.flatMap(\.rejected)
        return out
    }

    /// The rows one part decoded; only that part's thread writes it.
    private final class DecodedPart<Event>: @unchecked Sendable {
        var events: [Event] = []
        var lines: [Int] = []
        var rejected: [RowError] = []
    }

    private static func name(_ path: String) -> String { (path as NSString).lastPathComponent }

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

    /// What the report asks the engine: a window and, with `--step`, a series.
    struct Questions {
        var window: Window
        var series: (from: Timestamp, to: Timestamp, step: Duration)?

        /// The finest bucket edge any question needs: the engine keeps no finer buckets (a replay of 30 days
        /// asked for daily values need not update minute and hour buckets for every event).
        var finestEdge: Resolution {
            var edges: [Int64] = []
            switch window {
            case .cumulative: break
            case .last(let length, let now): edges += [length.milliseconds, now.milliseconds]
            case .range(let from, let to): edges += [from.milliseconds, to.milliseconds]
            }
            if let series { edges += [series.from.milliseconds, series.to.milliseconds, series.step.milliseconds] }
            return Resolution.coarsest(aligning: edges)
        }
    }

    private func seriesRange(end: Timestamp?, start: Timestamp?) -> (from: Timestamp, to: Timestamp, step: Duration)? {
        guard let step = options.step, let first = start else { return nil }
        let stepMs = step.milliseconds
        let from = options.from ?? Timestamp(milliseconds: first.milliseconds.floorDivided(by: stepMs).0 * stepMs)
        return (from, options.to ?? end ?? first, step)
    }

    private func window(end: Timestamp?, start: Timestamp?) -> Window {
        let to = options.to ?? end ?? Timestamp(milliseconds: 0)
        if let length = options.window { return .last(length, now: to) }
        if options.from != nil || options.to != nil {
            return .range(from: options.from ?? start ?? to, to: to)
        }
        return .cumulative
    }

    private func sections(_ engine: Engine, _ questions: Questions) throws -> [ReplayReport.ModelSection] {
        let window = questions.window
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
            if let series = questions.series {
                section.series = try engine.metricSeries(
                    model: model.name, from: series.from, to: series.to, step: series.step, names: names)
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
