import Foundation
import HTTPTypes
import Hummingbird
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

/// `GET /bulk`: what an action over a selection would do (the overview's filters, or ticked
/// rows as `c=<cluster>/<name>`), with a confirmation form; `POST /bulk` (same query, the form's
/// CSRF token) does it and shows each connector's result.
struct BulkRoutes {
    typealias Context = SwitchboardRequestContext
    let dependencies: ServerDependencies

    struct ConfirmForm: Decodable {
        var csrf: String?
    }

    func register(on router: Router<Context>) {
        let pages = PageRoutes(dependencies: dependencies)
        router.get("/bulk") { request, context in
            try await pages.signedIn(request, context) { page in
                try await run(request, page, dryRun: true)
            }
        }
        router.post("/bulk") { request, context in
            let form = try await request.form(ConfirmForm.self)
            guard context.user != nil, let session = context.session else { return pages.signInFirst(request) }
            guard !request.isCrossSite, dependencies.tokens.verifyCSRF(form.csrf, forSession: session.id) else {
                return Responses.html(ErrorPage.render(pages.pageContext(context), title: "Refused", message: "The form's security token is missing, wrong or expired; reload the page and try again."), status: .forbidden)
            }
            return try await run(request, pages.pageContext(context), dryRun: false)
        }
    }

    func run(_ request: Request, _ page: PageContext, dryRun: Bool) async throws -> Response {
        guard let user = page.user else { return Responses.redirect("/") }
        let query = request.uri.queryParameters
        let problem = { (message: String) in Responses.html(ErrorPage.render(page, title: "Nothing done", message: message), status: .badRequest) }
        guard let action = ConnectorActions.Action(rawValue: query.get("action") ?? ""), ConnectorActions.bulkActions.contains(action) else {
            return problem("Choose an action: restart, pause, resume or stop.")
        }
        let named = query.getAll("c").map { String($0) }
        let connectors: [ConnectorView]
        do {
            // Ticked rows are the selection; the filters they were ticked under are not.
            var filter = named.isEmpty ? try RequestValues.connectorFilter(request) : ConnectorFilter()
            if filter.searchesTopics { filter.resolveTopics(dependencies.flow.lineage(page.snapshot, catalog: dependencies.catalog).connectors(onTopicsContaining:)) }
            connectors = try ConnectorActions.select(page.snapshot, catalog: dependencies.catalog, filter: filter, named: named.isEmpty ? nil : named)
        } catch let bad as RequestValues.BadQuery {
            return problem(bad.message)
        } catch let refused as ConnectorActions.BulkRefused {
            return problem(refused.message)
        }
        let answer = await dependencies.actions.performBulk(action, on: connectors, includeTasks: query.get("includeTasks") == "true", onlyFailed: query.get("onlyFailed") == "true",
                                                           dryRun: dryRun, by: user)
        let filters = named.isEmpty ? ["team", "cluster", "state", "name", "class", "topic", "q"] : []
        let keep = (["action", "includeTasks", "onlyFailed"] + filters).compactMap { key in query.get(key).map { (key, Optional($0)) } }
            + named.map { ("c", Optional($0)) }
        return Responses.html(BulkPage.render(page, answer: answer, query: HTML.query(keep)))
    }
}
