import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VigilCore

/// The web dashboard: server-rendered HTML pages with inline SVG charts, no external assets.
///
/// `/` lists every model; `/models/{model}` shows its performance, `/drift` its drift and data quality,
/// `/slos` its SLOs, budgets and alerts, `/versions` its deployments, canary and shadows, `/settings` its
/// declaration (with forms to change or delete it: ``ModelFormRoutes``); `/pipeline` the
/// jobs, gates and pipeline SLOs, `/trace/{id}` where a prediction came from. Each page takes `range` (e.g.
/// `7d`) and `to` (ISO 8601).
struct DashboardRoutes: Sendable {
    let sources: DashboardSources
    let deployments: DeploymentRegistry

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in page(request) { q throws(APIError) in try OverviewPage(sources, q) } }
        router.get("/models/{model}") { request, context in
            let model = try context.parameters.decoded("model")
            return page(request) { q throws(APIError) in try ModelPage(sources, model: model, q) }
        }
        router.get("/models/{model}/drift") { request, context in
            let model = try context.parameters.decoded("model")
            return page(request) { q throws(APIError) in try DriftPage(sources, model: model, q) }
        }
        router.get("/models/{model}/slos") { request, context in
            let model = try context.parameters.decoded("model")
            return page(request) { q throws(APIError) in try SLOPage(sources, model: model, q) }
        }
        router.get("/models/{model}/versions") { request, context in
            let model = try context.parameters.decoded("model")
            return page(request) { q throws(APIError) in try VersionsPage(sources, model: model, q) }
        }
        router.get("/models/{model}/settings") { request, context in
            let model = try context.parameters.decoded("model")
            return page(request) { q throws(APIError) in try ModelSettingsPage(sources, model: model, q) }
        }
        router.get("/pipeline") { request, _ in page(request) { q throws(APIError) in try PipelinePage(sources, q) } }
        router.get("/trace/{id}") { request, context in
            let id = try context.parameters.decoded("id")
            return page(request) { q throws(APIError) in try TracePage(sources, id: id, deployments: deployments, q) }
        }
    }

    /// Renders a page from the request's query.
    private func page<View: DashboardView>(_ request: Request, _ build: ([String: String]) throws(APIError) -> View)
        -> Response
    {
        Self.page { () throws(APIError) in try build(QueryParameters.dictionary(request)) }
    }

    /// Renders a page (with `status`: a form shown again with its error is a 4xx), or an HTML error page with
    /// the API's status and message.
    static func page<View: DashboardView>(status: HTTPResponse.Status = .ok, _ build: () throws(APIError) -> View)
        -> Response
    {
        do {
            let view = try build()
            return html(DashboardTemplates.render(view, View.template), status: status)
        } catch {
            let body = DashboardTemplates.render(
                [
                    "title": error.status == .notFound ? "Not found" : "Cannot show this page", "code": error.code,
                    "message": error.message,
                ], "error")
            return html(body, status: error.status)
        }
    }

    private static func html(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: DashboardHeaders.html(), body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// A page's view model and the template that renders it.
protocol DashboardView {
    static var template: String { get }
}

extension OverviewPage: DashboardView { static let template = "overview" }
extension ModelPage: DashboardView { static let template = "model" }
extension DriftPage: DashboardView { static let template = "drift" }
extension SLOPage: DashboardView { static let template = "slos" }
extension VersionsPage: DashboardView { static let template = "versions" }
extension ModelSettingsPage: DashboardView { static let template = "settings" }
extension PipelinePage: DashboardView { static let template = "pipeline" }
extension TracePage: DashboardView { static let template = "trace" }
