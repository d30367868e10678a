import Foundation
import HTTPTypes
import Hummingbird
import SwitchboardAPI
import SwitchboardStorage

/// Personal API tokens: the Tokens page and `/api/v1/tokens`. Only a user signed in with a
/// session makes tokens (a token cannot make another); each is audited.
struct TokenRoutes {
    typealias Context = SwitchboardRequestContext
    let dependencies: ServerDependencies

    struct CreateForm: Decodable {
        var csrf: String?
        var name: String?
        var days: Int?
    }


    struct RevokeForm: Decodable {
        var csrf: String?
    }

    func register(on router: Router<Context>) {
        let pages = PageRoutes(dependencies: dependencies)
        router.get("/tokens") { request, context in
            guard let user = context.user, context.session != nil else { return pages.signInFirst(request) }
            return Responses.html(TokensPage.render(pages.pageContext(context), tokens: try await dependencies.apiTokens.list(for: user.name)))
        }
        router.post("/tokens") { request, context in
            let form = try await request.form(CreateForm.self)
            guard let user = context.user, let session = context.session else { return pages.signInFirst(request) }
            guard !request.isCrossSite, dependencies.tokens.verifyCSRF(form.csrf, forSession: session.id) else { return refused(pages, context) }
            do {
                let (token, _) = try await make(for: user, name: form.name ?? "", days: form.days ?? 30)
                return Responses.html(TokensPage.render(pages.pageContext(context), tokens: try await dependencies.apiTokens.list(for: user.name), created: token))
            } catch let problem as APITokens.Problem {
                return Responses.html(TokensPage.render(pages.pageContext(context), tokens: try await dependencies.apiTokens.list(for: user.name), error: problem.description), status: .badRequest)
            }
        }
        router.post("/tokens/{id}/revoke") { request, context in
            let form = try await request.form(RevokeForm.self)
            guard let user = context.user, let session = context.session else { return pages.signInFirst(request) }
            guard !request.isCrossSite, dependencies.tokens.verifyCSRF(form.csrf, forSession: session.id) else { return refused(pages, context) }
            guard let id = context.parameters.get("id", as: Int64.self), try await revoke(id, of: user) else {
                return pages.notFound(pages.pageContext(context), "You have no token with that id.")
            }
            return Responses.redirect("/tokens")
        }

        let v1 = router.group("api/v1")
        v1.get("tokens") { _, context in
            guard let user = context.user else { return try Responses.error(.unauthorized, "not signed in") }
            return try Responses.json(try await dependencies.apiTokens.list(for: user.name))
        }
        v1.post("tokens") { request, context in
            guard let user = context.user else { return try Responses.error(.unauthorized, "not signed in") }
            guard let session = context.session, !context.viaToken else {
                return try Responses.error(.forbidden, "tokens are made by a user signed in to the web UI (a token cannot make another)")
            }
            guard !request.isCrossSite, dependencies.tokens.verifyCSRF(request.headers[HTTPField.Name("X-CSRF-Token")!], forSession: session.id) else {
                return try Responses.error(.forbidden, "missing, wrong or expired X-CSRF-Token (GET /api/v1/me returns the one of this session)")
            }
            let body = try await request.body.collect(upTo: 16 << 10)
            guard let wanted = try? JSONDecoder().decode(TokenRequest.self, from: Data(buffer: body)) else {  // not the expected JSON: said below
                return try Responses.error(.badRequest, #"send {"name": "laptop", "days": 30}"#)
            }
            do {
                let (token, record) = try await make(for: user, name: wanted.name, days: wanted.days ?? 30)
                return try Responses.json(TokenCreated(token: token, id: record.id ?? 0, name: record.name, expiresAt: record.expiresAt), status: .created)
            } catch let problem as APITokens.Problem {
                return try Responses.error(.badRequest, problem.description)
            }
        }
        v1.delete("tokens/{id}") { request, context in
            guard let user = context.user else { return try Responses.error(.unauthorized, "not signed in") }
            if !context.viaToken, request.isCrossSite || !dependencies.tokens.verifyCSRF(request.headers[HTTPField.Name("X-CSRF-Token")!], forSession: context.session?.id) {
                return try Responses.error(.forbidden, "missing, wrong or expired X-CSRF-Token (GET /api/v1/me returns the one of this session)")
            }
            guard let id = context.parameters.get("id", as: Int64.self), try await revoke(id, of: user) else { return try Responses.error(.notFound, "you have no token with that id") }
            return try Responses.json(Acknowledged("revoked"))
        }
    }

    func make(for user: User, name: String, days: Int) async throws -> (String, APIToken) {
        let made = try await dependencies.apiTokens.create(for: user, name: name, days: days)
        await audit(user, "create-token", "\(made.record.name), expires \(ISO8601DateFormatter().string(from: made.record.expiresAt))")
        return made
    }

    func revoke(_ id: Int64, of user: User) async throws -> Bool {
        guard try await dependencies.apiTokens.revoke(id: id, of: user.name) else { return false }
        await audit(user, "revoke-token", "token \(id)")
        return true
    }

    /// Token rows name no connector: cluster and connector are "-".
    func audit(_ user: User, _ action: String, _ detail: String) async {
        await dependencies.actions.record(AuditEntry(user: user.name, action: action, cluster: "-", connector: "-", outcome: .succeeded, detail: detail))
    }

    func refused(_ pages: PageRoutes, _ context: Context) -> Response {
        Responses.html(ErrorPage.render(pages.pageContext(context), title: "Refused", message: "The form's security token is missing, wrong or expired; reload the page and try again."), status: .forbidden)
    }
}
