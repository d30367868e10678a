import ConnectClient
import Foundation
import Hummingbird
import SwitchboardCore

/// The server-rendered web UI (readable without JavaScript).
struct PageRoutes {
    typealias Context = SwitchboardRequestContext
    let dependencies: ServerDependencies

    func register(on router: Router<Context>) {
        router.get("/assets/switchboard.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css", .cacheControl: "public, max-age=3600"], body: .init(byteBuffer: ByteBuffer(string: Layout.stylesheet)))
        }
        // Prometheus exposition; unauthenticated like most scrape targets (it holds names and
        // states, never config values): restrict it by network if needed.
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: dependencies.store.metrics.emit())))
        }
        router.get("/healthz") { _, _ in
            let age = Int(Date().timeIntervalSince(dependencies.store.current.takenAt))
            return try Responses.json(["status": "ok", "snapshotAgeSeconds": "\(age)"])
        }
        router.get("/") { request, context in
            try signedIn(request, context) { page in
                let query = request.uri.queryParameters
                let filter = ConnectorFilter(team: query.get("team"), cluster: query.get("cluster"), state: query.get("state"), name: query.get("name"))
                let number = max(0, query.get("page", as: Int.self) ?? 0)
                // The table is the same for every reader of one snapshot; the layout around it is not.
                let table = dependencies.pageCache.value(for: "\(filter.key)|\(number)", snapshot: page.snapshot.takenAt) {
                    OverviewPage.body(page.snapshot, catalog: dependencies.catalog, filter: filter, page: number)
                }
                return Responses.html(Layout.page("Overview", page, table))
            }
        }
        router.get("/clusters/{cluster}") { request, context in
            try signedIn(request, context) { page in
                let name = context.parameters.get("cluster") ?? ""
                guard let cluster = page.snapshot.clusters[name] else { return notFound(page, "No cluster named \(name).") }
                return Responses.html(ClusterPage.render(page, cluster: cluster))
            }
        }
        router.get("/teams/{team}") { request, context in
            try signedIn(request, context) { page in
                let name = context.parameters.get("team") ?? ""
                return Responses.html(TeamPage.render(page, team: dependencies.catalog.team(named: name), name: name))
            }
        }
        router.get("/clusters/{cluster}/connectors/{connector}") { request, context in
            guard let user = context.user else { return signInFirst(request) }
            let page = pageContext(context)
            let cluster = context.parameters.get("cluster") ?? "", name = context.parameters.get("connector") ?? ""
            guard let connector = page.snapshot.connectors["\(cluster)/\(name)"] else {
                return notFound(page, "No connector \(name) on cluster \(cluster) in the last snapshot.")
            }
            let live = await liveDetails(cluster: cluster, connector: name)
            let audit = (try? dependencies.audit.recent(limit: 20, cluster: cluster, connector: name)) ?? []
            let notice = request.uri.queryParameters.get("done").map { "\($0) was sent to Connect; the state below refreshes within a poll interval." }
            return Responses.html(ConnectorPage.render(page, connector: connector, canAct: dependencies.permissions.canAct(user, on: connector), live: live, lag: dependencies.store.lag[connector.key], audit: audit, notice: notice))
        }
        router.get("/audit") { request, context in
            try signedIn(request, context) { page in
                Responses.html(AuditPage.render(page, entries: (try? dependencies.audit.recent(limit: 500)) ?? []))
            }
        }
        router.post("/clusters/{cluster}/connectors/{connector}/actions/{action}") { request, context in
            let form = try await request.form(context: context)
            guard let action = ConnectorActions.Action(rawValue: context.parameters.get("action") ?? ""), action != .restartTask else {
                return Responses.html(ErrorPage.render(pageContext(context), title: "Unknown action", message: "Actions are restart, pause, resume and stop."), status: .badRequest)
            }
            return try await act(request, context, form: form, ConnectorActions.Request(
                action: action, cluster: context.parameters.get("cluster") ?? "", connector: context.parameters.get("connector") ?? "",
                includeTasks: form["includeTasks"] == "true", onlyFailed: form["onlyFailed"] == "true"))
        }
        router.post("/clusters/{cluster}/connectors/{connector}/tasks/{task}/restart") { request, context in
            let form = try await request.form(context: context)
            guard let task = RequestValues.taskID(context.parameters.get("task")) else {
                return Responses.html(ErrorPage.render(pageContext(context), title: "Not a task", message: "A task id is a number, such as 0."), status: .badRequest)
            }
            return try await act(request, context, form: form, ConnectorActions.Request(
                action: .restartTask, cluster: context.parameters.get("cluster") ?? "", connector: context.parameters.get("connector") ?? "", task: task))
        }
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
            let form = try await request.form(context: context)
            let next = RequestValues.localPath(form["next"])
            let name = form["username"] ?? ""
            if let wait = dependencies.throttle.retryAfter(user: name, address: context.remoteAddress) {
                var response = Responses.html(LoginPage.render(pageContext(nil), error: "Too many failed sign-ins; try again in \((wait + 59) / 60) minute(s).", next: next), status: .tooManyRequests)
                response.headers[.retryAfter] = String(wait)
                return response
            }
            guard let user = users.authenticate(name: name, password: form["password"] ?? "") else {
                dependencies.throttle.recordFailure(user: name, address: context.remoteAddress)
                return Responses.html(LoginPage.render(pageContext(nil), error: "Unknown user or wrong password.", next: next), status: .unauthorized)
            }
            dependencies.throttle.recordSuccess(user: name)
            // A new session on every sign-in: a session id known before signing in is worthless after.
            if let old = context.session { dependencies.sessions.end(id: old.id) }
            let session = dependencies.sessions.create(user: user.name, source: .local)
            var response = Responses.redirect(next)
            response.setCookie(AuthenticationMiddleware.cookie(session.id, settings: dependencies.auth, maxAge: Int(dependencies.sessions.lifetime)))
            return response
        }
        router.post("/logout") { request, context in
            let form = try await request.form(context: context)
            guard let session = context.session, !request.isCrossSite, dependencies.tokens.verifyCSRF(form["csrf"], forSession: session.id) else {
                return Responses.html(ErrorPage.render(pageContext(context), title: "Refused", message: "The form's security token is missing or wrong."), status: .forbidden)
            }
            dependencies.sessions.end(id: session.id)
            var response = Responses.redirect(dependencies.auth.localUsers != nil ? "/login" : "/")
            response.setCookie(AuthenticationMiddleware.cookie("", settings: dependencies.auth, maxAge: 0))
            return response
        }
    }

    // MARK: helpers

    func pageContext(_ context: Context?) -> PageContext {
        PageContext(user: context?.user, session: context?.session, tokens: dependencies.tokens, snapshot: dependencies.store.current, insecure: dependencies.auth.insecureDevelopmentUser != nil)
    }

    /// Runs `body` for a signed-in user; otherwise sends them to sign in.
    func signedIn(_ request: Request, _ context: Context, _ body: (PageContext) throws -> Response) throws -> Response {
        guard context.user != nil else { return signInFirst(request) }
        return try body(pageContext(context))
    }

    func signInFirst(_ request: Request) -> Response {
        if dependencies.auth.localUsers != nil {
            return Responses.redirect("/login" + HTML.query([("next", request.uri.path)]))
        }
        return Responses.html(ErrorPage.render(pageContext(nil), title: "Not signed in", message: "Sign in through your company's sign-in page to use Switchboard."), status: .unauthorized)
    }

    func notFound(_ page: PageContext, _ message: String) -> Response {
        Responses.html(ErrorPage.render(page, title: "Not found", message: message), status: .notFound)
    }

    func act(_ request: Request, _ context: Context, form: [String: String], _ action: ConnectorActions.Request) async throws -> Response {
        if context.user != nil, request.isCrossSite || !dependencies.tokens.verifyCSRF(form["csrf"], forSession: context.session?.id) {
            return Responses.html(ErrorPage.render(pageContext(context), title: "Refused", message: "The form's security token is missing, wrong or expired; reload the page and try again."), status: .forbidden)
        }
        let outcome = await dependencies.actions.perform(action, by: context.user)
        let page = pageContext(context)
        switch outcome {
        case .done:
            return Responses.redirect(HTML.path("clusters", action.cluster, "connectors", action.connector) + HTML.query([("done", action.label)]))
        case .unauthenticated:
            return signInFirst(request)
        case .denied:
            return Responses.html(ErrorPage.render(page, title: "Not allowed", message: "Only members of the owning team and platform admins may act on \(action.connector). This attempt was recorded in the audit log."), status: .forbidden)
        case .notFound:
            return notFound(page, "No connector \(action.connector) on cluster \(action.cluster)\(action.task.map { " with a task \($0)" } ?? "").")
        case .failed(let message):
            return Responses.html(ErrorPage.render(page, title: "Connect refused", message: message), status: .badGateway)
        }
    }

    /// The topics and offsets of one connector, read when its page is viewed (one connector, two
    /// calls, a short timeout; never a fan-out over connectors).
    func liveDetails(cluster: String, connector: String) async -> ConnectorPage.Live {
        guard var client = try? dependencies.connections.client(cluster) else { return .init(error: "unknown cluster") }
        client.requestTimeout = .seconds(3)
        client.readRetry = .none
        async let topics = client.topics(of: connector)
        async let offsets = client.offsets(of: connector)
        do {
            let raw = try await offsets
            let pretty = (try? JSONSerialization.jsonObject(with: Data(raw.utf8)))
                .flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.prettyPrinted, .sortedKeys]) }
                .map { String(decoding: $0, as: UTF8.self) }
            // Source offsets are the connector's own data (a JDBC source can keep a query in them).
            return try await .init(topics: topics, offsets: Scrubber.scrub(pretty ?? raw))
        } catch {
            return .init(error: (error as? ConnectError)?.shortDescription ?? "unavailable")
        }
    }
}
