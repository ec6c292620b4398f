import Foundation
import HTTPTypes
import Hummingbird

/// The dashboard's forms that change a model, each posting back here (``DashboardForm`` guards them):
///
/// - `POST /models`: declare a new model (`name`, `task`, `classes`, `owner`, `description`), then show its
///   settings;
/// - `POST /models/{model}/settings`: declare it again (owner, description, or the task before any data);
/// - `POST /models/{model}/delete`: delete it with its data, once `confirm` repeats its name exactly.
///
/// Success redirects (303, so a reload does not post twice); a refused form is shown again, as typed, with
/// its error and the API's status.
struct ModelFormRoutes: Sendable {
    let sources: DashboardSources
    let models: ModelRoutes
    let tokens: TokenStore
    let timeout: Duration

    func register(on router: Router<BasicRequestContext>) {
        router.post("/models") { request, _ in await declareNew(request) }
        router.post("/models/{model}/settings") { request, context in
            await declare(try context.parameters.decoded("model"), request)
        }
        router.post("/models/{model}/delete") { request, context in
            await delete(try context.parameters.decoded("model"), request)
        }
    }

    private func declareNew(_ request: Request) async -> Response {
        var fields: [String: String] = [:]
        do throws(APIError) {
            fields = try await DashboardForm(request, tokens: tokens, timeout: timeout).fields
            let name = try OpenLineageBody.name(fields["name"], "name", max: 256)
            _ = try await models.declare(name, ModelDeclaration(form: fields))
            return Self.redirect("/models/\(DashboardLinks.escape(name))/settings?saved=1")
        } catch {
            let failed = error
            return await DashboardRoutes.page(status: error.status) { () throws(APIError) in
                var page = try await OverviewPage(sources, [:])
                page.declare = OverviewPage.DeclareForm(
                    fields, error: failed.message, needsToken: sources.formsNeedToken)
                return page
            }
        }
    }

    private func declare(_ model: String, _ request: Request) async -> Response {
        var fields: [String: String] = [:]
        do throws(APIError) {
            fields = try await DashboardForm(request, tokens: tokens, timeout: timeout).fields
            _ = try await models.declare(model, ModelDeclaration(form: fields))
            return Self.redirect("/models/\(DashboardLinks.escape(model))/settings?saved=1")
        } catch {
            let (submitted, message) = (fields, error.message)
            return await DashboardRoutes.page(status: error.status) { () throws(APIError) in
                try await ModelSettingsPage(sources, model: model, [:], submitted: submitted, error: message)
            }
        }
    }

    private func delete(_ model: String, _ request: Request) async -> Response {
        do throws(APIError) {
            let fields = try await DashboardForm(request, tokens: tokens, timeout: timeout).fields
            guard fields["confirm"] == model else {
                throw APIError.badRequest(
                    "not_confirmed", "type the model's name, \(model.prefix(256)), exactly to delete it")
            }
            try await models.delete(model)
            return Self.redirect("/?deleted=\(DashboardLinks.escape(model))")
        } catch {
            let message = error.message
            return await DashboardRoutes.page(status: error.status) { () throws(APIError) in
                try await ModelSettingsPage(sources, model: model, [:], deleteError: message)
            }
        }
    }

    private static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}
