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
        router.get("/") { request, _ in
            await page(request) { q async throws(APIError) in try await OverviewPage(sources, q) }
        }
        router.get("/models/{model}") { request, context in
            let model = try context.parameters.decoded("model")
            return await page(request) { q async throws(APIError) in try await ModelPage(sources, model: model, q) }
        }
        router.get("/models/{model}/drift") { request, context in
            let model = try context.parameters.decoded("model")
            return await page(request) { q async throws(APIError) in try await DriftPage(sources, model: model, q) }
        }
        router.get("/models/{model}/slos") { request, context in
            let model = try context.parameters.decoded("model")
            return await page(request) { q async throws(APIError) in try await SLOPage(sources, model: model, q) }
        }
        router.get("/models/{model}/versions") { request, context in
            let model = try context.parameters.decoded("model")
            return await page(request) { q async throws(APIError) in try await VersionsPage(sources, model: model, q) }
        }
        router.get("/models/{model}/settings") { request, context in
            let model = try context.parameters.decoded("model")
            return await page(request) { q async throws(APIError) in
                try await ModelSettingsPage(sources, model: model, q)
            }
        }
        router.get("/pipeline") { request, _ in
            await page(request) { q async throws(APIError) in try await PipelinePage(sources, q) }
        }
        router.get("/trace/{id}") { request, context in
            let id = try context.parameters.decoded("id")
            return await page(request) { q async throws(APIError) in
                try await TracePage(sources, id: id, deployments: deployments, q)
            }
        }
    }

    /// Renders a page from the request's query.
    private func page<View: DashboardView>(
        _ request: Request, _ build: ([String: String]) async throws(APIError) -> View
    )
        async -> Response
    {
        await Self.page { () async throws(APIError) in try await build(QueryParameters.dictionary(request)) }
    }

    /// Renders a page (with `status`: a form shown again with its error is a 4xx), or an HTML error page with
    /// the API's status and message.
    static func page<View: DashboardView>(status: HTTPResponse.Status = .ok, _ build: () async throws(APIError) -> View)
        async -> Response
    {
        do {
            let view = try await build()
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
