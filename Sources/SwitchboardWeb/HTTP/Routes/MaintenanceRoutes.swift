import Foundation
import HTTPTypes
import Hummingbird
import SwitchboardAPI
import SwitchboardCore

/// Maintenance of a cluster (``Maintenance``): `POST` and `DELETE /api/v1/clusters/{cluster}/maintenance`,
/// `GET /api/v1/maintenance`, and the cluster page's start and end buttons (platform admins).
struct MaintenanceRoutes {
    typealias Context = SwitchboardRequestContext
    let dependencies: ServerDependencies

    struct Form: Decodable {
        var csrf: String?
        var step: String?
    }

    func register(on router: Router<Context>) {
        let v1 = router.group("api/v1")
        v1.get("maintenance") { _, context in
            guard context.user != nil else { return try Responses.error(.unauthorized, "not signed in") }
            return try Responses.json(dependencies.maintenance.current.values.sorted { $0.cluster < $1.cluster })
        }
        for method in [HTTPRequest.Method.post, .delete] {
            v1.on("clusters/{cluster}/maintenance", method: method) { request, context in
                guard let user = context.user else { return try Responses.error(.unauthorized, "not signed in") }
                if !context.viaToken, request.isCrossSite || !dependencies.tokens.verifyCSRF(request.headers[HTTPField.Name("X-CSRF-Token")!], forSession: context.session?.id) {
                    return try Responses.error(.forbidden, "missing, wrong or expired X-CSRF-Token (GET /api/v1/me returns the one of this session)")
                }
                let cluster = context.parameters.get("cluster") ?? ""
                let answer: MaintenanceAnswer
                do throws(Maintenance.Refused) {
                    let maintenance = Maintenance(dependencies: dependencies)
                    answer = method == .post ? try await maintenance.start(cluster, by: user) : try await maintenance.end(cluster, by: user)
                } catch {
                    return try Responses.error(HTTPResponse.Status(code: error.status), error.message)
                }
                return try Responses.json(answer)
            }
        }
        let pages = PageRoutes(dependencies: dependencies)
        router.post("/clusters/{cluster}/maintenance") { request, context in
            let form = try await request.form(Form.self)
            guard let user = context.user, let session = context.session else { return pages.signInFirst(request) }
            guard !request.isCrossSite, dependencies.tokens.verifyCSRF(form.csrf, forSession: session.id) else {
                return Responses.html(ErrorPage.render(pages.pageContext(context), title: "Refused", message: "The form's security token is missing, wrong or expired; reload the page and try again."), status: .forbidden)
            }
            let cluster = context.parameters.get("cluster") ?? ""
            let answer: MaintenanceAnswer
            do throws(Maintenance.Refused) {
                let maintenance = Maintenance(dependencies: dependencies)
                answer = form.step == "end" ? try await maintenance.end(cluster, by: user) : try await maintenance.start(cluster, by: user)
            } catch {
                return Responses.html(ErrorPage.render(pages.pageContext(context), title: "Maintenance", message: error.message), status: HTTPResponse.Status(code: error.status))
            }
            if let actions = answer.actions { return Responses.html(BulkPage.render(pages.pageContext(context), answer: actions, query: "")) }
            return Responses.redirect(HTML.path("clusters", cluster))
        }
    }
}
