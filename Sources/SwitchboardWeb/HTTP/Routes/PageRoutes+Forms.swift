import ConnectClient
import Foundation
import Hummingbird
import SwitchboardCore

/// The forms the pages post: connector actions, sign-in and sign-out. Bodies are decoded by
/// Hummingbird's URL-encoded form decoder into the types below.
extension PageRoutes {
    struct ActionForm: Decodable {
        var csrf: String?
        var includeTasks: Bool?
        var onlyFailed: Bool?
    }

    /// Resetting or altering offsets: the connector's name typed again as the confirmation.
    struct OffsetsForm: Decodable {
        var csrf: String?
        var confirm: String?
        var offsets: String?
    }

    struct SignInForm: Decodable {
        var username: String?
        var password: String?
        var next: String?
    }

    struct SignOutForm: Decodable {
        var csrf: String?
    }

    func registerActions(on router: Router<Context>) {
        router.post("/clusters/{cluster}/connectors/{connector}/actions/{action}") { request, context in
            let form = try await request.form(ActionForm.self)
            guard let action = ConnectorActions.Action(rawValue: context.parameters.get("action") ?? ""), action.capability == .operate, action != .restartTask else {
                return Responses.html(ErrorPage.render(pageContext(context), title: "Unknown action", message: "Actions are restart, pause, resume and stop."), status: .badRequest)
            }
            return try await act(request, context, csrf: form.csrf, ConnectorActions.Request(
                action: action, cluster: context.parameters.get("cluster") ?? "", connector: context.parameters.get("connector") ?? "",
                includeTasks: form.includeTasks ?? false, onlyFailed: form.onlyFailed ?? false))
        }
        router.post("/clusters/{cluster}/connectors/{connector}/tasks/{task}/restart") { request, context in
            let form = try await request.form(ActionForm.self)
            guard let task = RequestValues.taskID(context.parameters.get("task")) else {
                return Responses.html(ErrorPage.render(pageContext(context), title: "Not a task", message: "A task id is a number, such as 0."), status: .badRequest)
            }
            return try await act(request, context, csrf: form.csrf, ConnectorActions.Request(
                action: .restartTask, cluster: context.parameters.get("cluster") ?? "", connector: context.parameters.get("connector") ?? "", task: task))
        }
    }

    func registerOffsetForms(on router: Router<Context>) {
        router.post("/clusters/{cluster}/connectors/{connector}/offsets/{change}") { request, context in
            let form = try await request.form(OffsetsForm.self)
            let cluster = context.parameters.get("cluster") ?? "", connector = context.parameters.get("connector") ?? ""
            let page = pageContext(context)
            let action: ConnectorActions.Action
            switch context.parameters.get("change") {
            case "reset": action = .resetOffsets
            case "alter": action = .alterOffsets
            default: return Responses.html(ErrorPage.render(page, title: "Unknown change", message: "Offsets can be reset or altered."), status: .badRequest)
            }
            guard form.confirm?.trimmingCharacters(in: .whitespaces) == connector else {
                return Responses.html(ErrorPage.render(page, title: "Not confirmed", message: "Type the connector's name, \(connector), to confirm: its offsets change for good. Nothing was changed."), status: .badRequest)
            }
            var offsets: ConnectorOffsets?
            if action == .alterOffsets {
                do {
                    offsets = try ConnectorOffsets.parse(form.offsets ?? "")
                } catch {
                    return Responses.html(ErrorPage.render(page, title: "Offsets not understood", message: "\(error) Nothing was changed."), status: .badRequest)
                }
            }
            return try await act(request, context, csrf: form.csrf, ConnectorActions.Request(action: action, cluster: cluster, connector: connector, offsets: offsets))
        }
    }

    func registerSignIn(on router: Router<Context>) {
        router.get("/login") { request, context in
            guard dependencies.auth.localUsers != nil else {
                return Responses.html(ErrorPage.render(pageContext(nil), title: "Sign in", message: "This server signs people in through its authenticating proxy."), status: .notFound)
            }
            return Responses.html(LoginPage.render(pageContext(context), error: nil, next: RequestValues.localPath(request.uri.queryParameters.get("next"))))
        }
        router.post("/login") { request, context in
            guard let users = dependencies.auth.localUsers, !request.isCrossSite else {
                return Responses.html(ErrorPage.render(pageContext(nil), title: "Sign in", message: "Local sign-in is not enabled."), status: .notFound)
            }
            return try await signIn(users, try await request.form(SignInForm.self), context)
        }
        router.post("/logout") { request, context in
            let form = try await request.form(SignOutForm.self)
            guard let session = context.session, !request.isCrossSite, dependencies.tokens.verifyCSRF(form.csrf, forSession: session.id) else {
                return Responses.html(ErrorPage.render(pageContext(context), title: "Refused", message: "The form's security token is missing or wrong."), status: .forbidden)
            }
            try await dependencies.sessions.stop(id: session.id)
            var response = Responses.redirect(dependencies.auth.localUsers != nil ? "/login" : "/")
            response.setCookie(AuthenticationMiddleware.cookie("", settings: dependencies.auth, maxAge: 0))
            return response
        }
    }

    /// Checks a local user's password (throttled per user and address) and starts a new session.
    func signIn(_ users: LocalUsers, _ form: SignInForm, _ context: Context) async throws -> Response {
        let next = RequestValues.localPath(form.next)
        let name = form.username ?? ""
        if let wait = dependencies.throttle.retryAfter(user: name, address: context.remoteAddress) {
            var response = Responses.html(LoginPage.render(pageContext(nil), error: "Too many failed sign-ins; try again in \((wait + 59) / 60) minute(s).", next: next), status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        guard let user = users.authenticate(name: name, password: form.password ?? "") else {
            dependencies.throttle.recordFailure(user: name, address: context.remoteAddress)
            return Responses.html(LoginPage.render(pageContext(nil), error: "Unknown user or wrong password.", next: next), status: .unauthorized)
        }
        dependencies.throttle.recordSuccess(user: name)
        // A new session on every sign-in: a session id known before signing in is worthless after.
        if let old = context.session { try await dependencies.sessions.stop(id: old.id) }
        let session = try await dependencies.sessions.start(user: user.name, source: .local, now: Date())
        var response = Responses.redirect(next)
        response.setCookie(AuthenticationMiddleware.cookie(session.id, settings: dependencies.auth, maxAge: Int(dependencies.sessions.lifetime)))
        return response
    }

    func act(_ request: Request, _ context: Context, csrf: String?, _ action: ConnectorActions.Request) async throws -> Response {
        if context.user != nil, request.isCrossSite || !dependencies.tokens.verifyCSRF(csrf, forSession: context.session?.id) {
            return Responses.html(ErrorPage.render(pageContext(context), title: "Refused", message: "The form's security token is missing, wrong or expired; reload the page and try again."), status: .forbidden)
        }
        let outcome = await dependencies.actions.perform(action, by: context.user)
        let page = pageContext(context)
        switch outcome {
        case .done:
            return Responses.redirect(HTML.path("clusters", action.cluster, "connectors", action.connector) + HTML.query([("done", action.label)]))
        case .conflict(let message):
            return Responses.html(ErrorPage.render(page, title: "Not now", message: message), status: .conflict)
        case .unauthenticated:
            return signInFirst(request)
        case .denied(let reason):
            return Responses.html(ErrorPage.render(page, title: "Not allowed", message: "You may not act on \(action.connector): \(reason). This attempt was recorded in the audit log."), status: .forbidden)
        case .notFound:
            return notFound(page, "No connector \(action.connector) on cluster \(action.cluster)\(action.task.map { " with a task \($0)" } ?? "").")
        case .failed(let message):
            return Responses.html(ErrorPage.render(page, title: "Connect refused", message: message), status: .badGateway)
        }
    }
}
