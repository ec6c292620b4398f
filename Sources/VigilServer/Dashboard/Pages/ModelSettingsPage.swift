import Foundation
import VigilCore

/// `/models/{model}/settings`: what the model is (task, classes, owner, description, its data), a form that
/// declares it again (``ModelFormRoutes``), and one that deletes it once its name is typed again.
struct ModelSettingsPage {
    struct Option {
        var value: String
        var selected: Bool

        /// Every task, `selected` marked.
        static func tasks(selected: String) -> [Option] {
            ModelTask.allCases.map { Option(value: $0.rawValue, selected: $0.rawValue == selected) }
        }
    }

    var frame: PageFrame
    var name: String
    var task: String
    var taskOptions: [Option]
    var classes: String
    var owner: String
    var description: String
    var predictions: String
    var versions: String
    var firstEvent: String
    var lastEvent: String
    /// A model with predictions keeps its task: changing it means deleting the model first.
    var hasData: Bool
    var needsToken: Bool
    var action: String
    var deleteAction: String
    var saved: Bool
    var error: String?
    var deleteError: String?

    static let known: Set<String> = ["range", "to", "saved"]

    /// - Parameters:
    ///   - submitted: the fields of a form that failed, shown again as typed, with `error` (or `deleteError`).
    init(
        _ sources: DashboardSources, model: String, _ query: [String: String], submitted: [String: String] = [:],
        error: String? = nil, deleteError: String? = nil
    ) async throws(APIError) {
        try QueryParameters.requireKnown(query, Self.known)
        let now = sources.clock()
        let summary = try sources.summary(model)
        let about = try await sources.documents.about(model)
        let range = try DashboardRange(query, now: now, latest: summary.lastEvent)
        let path = "/models/\(DashboardLinks.escape(model))"
        frame = PageFrame(
            title: "\(model) · settings", model: model, page: .settings, path: "\(path)/settings", range: range,
            latestEvent: summary.lastEvent, now: now)
        name = model
        task = summary.task?.rawValue ?? "not known yet"
        let chosen = submitted["task"] ?? summary.task?.rawValue ?? ModelTask.binary.rawValue
        taskOptions = Option.tasks(selected: chosen)
        classes = submitted["classes"] ?? summary.classes.joined(separator: ", ")
        owner = submitted["owner"] ?? about?.owner ?? ""
        description = submitted["description"] ?? about?.description ?? ""
        predictions = DashboardFormat.count(summary.predictions)
        versions = summary.versions.isEmpty ? "none yet" : summary.versions.sorted().joined(separator: ", ")
        firstEvent = summary.firstEvent.map(TimeLabel.full) ?? "none yet"
        lastEvent = summary.lastEvent.map(TimeLabel.full) ?? "none yet"
        hasData = summary.predictions > 0
        needsToken = sources.formsNeedToken
        action = "\(path)/settings"
        deleteAction = "\(path)/delete"
        saved = query["saved"] == "1" && error == nil
        self.error = error
        self.deleteError = deleteError
    }
}
