import ConnectClient
import Foundation
import Hummingbird
import Reconciler
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

/// The server-rendered web UI (readable without JavaScript). `register` lists every page; each
/// page or resource registers its routes in a function of its own below, and renders through its
/// type in Pages/.
struct PageRoutes {
    typealias Context = SwitchboardRequestContext
    let dependencies: ServerDependencies

    func register(on router: Router<Context>) {
        registerOverview(on: router)
        registerClusterAndTeamPages(on: router)
        registerConnectorPage(on: router)
        registerAuditPage(on: router)
        registerActions(on: router)
        registerOffsetForms(on: router)
        registerSignIn(on: router)
    }

    // MARK: Pages

    func registerOverview(on router: Router<Context>) {
        router.get("/") { request, context in
            try await signedIn(request, context) { page in
                let query = request.uri.queryParameters
                var filter: ConnectorFilter
                do {
                    filter = try RequestValues.connectorFilter(request)
                } catch let bad as RequestValues.BadQuery {
                    return Responses.html(ErrorPage.render(page, title: "Bad filter", message: bad.message), status: .badRequest)
                }
                let number = max(0, query.get("page", as: Int.self) ?? 0)
                // The table is the same for every reader of one snapshot; the layout around it is not.
                let table = dependencies.pageCache.value(for: "\(filter.key)|\(number)|\(page.causes.key)", snapshot: page.snapshot.takenAt) {
                    if filter.searchesTopics {
                        filter.resolveTopics(dependencies.flow.lineage(page.snapshot, catalog: dependencies.catalog).connectors(onTopicsContaining:))
                    }
                    return OverviewPage.body(page.snapshot, catalog: dependencies.catalog, filter: filter, page: number, causes: page.causes)
                }
                return Responses.html(Layout.page("Overview", page, table))
            }
        }
    }

    func registerClusterAndTeamPages(on router: Router<Context>) {
        router.get("/clusters/{cluster}") { request, context in
            try await signedIn(request, context) { page in
                let name = context.parameters.get("cluster") ?? ""
                guard let cluster = page.snapshot.clusters[name] else { return notFound(page, "No cluster named \(name).") }
                // The log levels changed through Switchboard: a storage that cannot be read is said, not shown as none.
                do {
                    let changes = try await dependencies.audit.storage.logLevelChanges(cluster: name, limit: 20)
                    return Responses.html(ClusterPage.render(page, cluster: cluster, logLevels: changes))
                } catch {
                    return Responses.html(ClusterPage.render(page, cluster: cluster, logLevelProblem: Scrubber.scrub("The log level changes cannot be read: \(error)")))
                }
            }
        }
        router.get("/teams/{team}") { request, context in
            try await signedIn(request, context) { page in
                guard let user = context.user else { return signInFirst(request) }
                let name = context.parameters.get("team") ?? ""
                let snapshot = page.snapshot
                // The dashboard is the same for every reader of one snapshot; the actions depend on the reader.
                let body = dependencies.pageCache.value(for: "team|\(name)|\(page.causes.key)", snapshot: snapshot.takenAt) {
                    let connectors = snapshot.connectors(matching: ConnectorFilter(team: name))
                    let history = dependencies.flow.history
                    let since = page.now.addingTimeInterval(-3600)
                    let readings = dependencies.flow.latest
                    let dashboard = TeamPage.Dashboard(connectors: connectors, lineage: dependencies.lineage(.team(name), snapshot),
                                                       flows: Dictionary(uniqueKeysWithValues: connectors.map { ($0.key, history.series($0.key, since: since)) }),
                                                       lag: readings.lag, deadLetters: readings.deadLetters, deadLetterRates: readings.deadLetterRates, now: page.now)
                    return TeamPage.body(team: dependencies.catalog.team(named: name), name: name, dashboard: dashboard, causes: page.causes)
                }
                let audit = await AuditRows.read(dependencies, for: user, limit: 15, team: name)
                return Responses.html(Layout.page("Team \(name)", page, "\(body)\(TeamPage.recentActions(audit))"))
            }
        }
    }

    func registerConnectorPage(on router: Router<Context>) {
        router.get("/clusters/{cluster}/connectors/{connector}") { request, context in
            guard let user = context.user else { return signInFirst(request) }
            let page = pageContext(context)
            let cluster = context.parameters.get("cluster") ?? "", name = context.parameters.get("connector") ?? ""
            guard let connector = page.snapshot.connectors["\(cluster)/\(name)"] else {
                return notFound(page, "No connector \(name) on cluster \(cluster) in the last snapshot.")
            }
            let permissions = dependencies.permissions
            let access = ConnectorPage.Access(role: permissions.role(user, on: connector), capabilities: Set(permissions.capabilities(user, on: connector)),
                                              operateNeeds: permissions.decide(.operate, user, on: connector).needs)
            let dataFlow = dependencies.flow
            let hours = dataFlow.chartHours
            // The charts' ranges (from Prometheus, when configured) are read beside Connect's answers.
            async let series = dataFlow.series(cluster: cluster, connector: name, hours: hours, now: page.now)
            async let deadLetters = dependencies.deadLetters(of: connector, for: user)
            // A viewer sees states only: the topics and offsets are not even read.
            let live = access.capabilities.contains(.viewConfig) ? await liveDetails(cluster: cluster, connector: name) : .init(error: "your role (\(access.role.rawValue)) shows states only")
            if let topics = live.topics { dataFlow.topics.record(connector.key, topics: topics) }
            // The drawing is the same for every reader of one snapshot (a topic can have thousands of producers).
            let drawing = dependencies.pageCache.value(for: "lineage|connector|\(connector.key)", snapshot: page.snapshot.takenAt) {
                LineageDrawing.svg(dependencies.lineage(.connector(connector.key), page.snapshot), highlight: connector.key)
            }
            let flow = FlowSection.render(drawing, series: await series, connector: connector, hours: hours, gap: dataFlow.history.gap, now: page.now)
            let audit = await AuditRows.read(dependencies, for: user, limit: 20, cluster: cluster, connector: name)
            let notice = request.uri.queryParameters.get("done").map { "\($0) was sent to Connect; the state below refreshes within a poll interval." }
            return Responses.html(ConnectorPage.render(page, connector: permissions.visible(connector, to: user), access: access, live: live,
                                                       lag: dependencies.flow.latest.lag[connector.key], flow: flow, deadLetters: await deadLetters,
                                                       audit: audit, notice: notice))
        }
    }

    func registerAuditPage(on router: Router<Context>) {
        router.get("/audit") { request, context in
            try await signedIn(request, context) { page in
                guard let user = context.user else { return signInFirst(request) }
                let audit = await AuditRows.read(dependencies, for: user, limit: 500)
                if let problem = audit.problem {
                    return Responses.html(ErrorPage.render(page, title: "Audit log unavailable", message: problem), status: .serviceUnavailable)
                }
                return Responses.html(AuditPage.render(page, entries: audit.entries))
            }
        }
    }

    // MARK: helpers

    func pageContext(_ context: Context?) -> PageContext {
        PageContext(user: context?.user, session: context?.session, tokens: dependencies.tokens, snapshot: dependencies.store.current, insecure: dependencies.auth.insecureDevelopmentUser != nil,
                    following: dependencies.gitops != nil,
                    causes: context?.user.map { dependencies.permissions.traceScope(of: $0) } ?? Permissions.TraceScope(all: false, clusters: [], teams: []),
                    maintenance: dependencies.maintenance.current.values.sorted { $0.cluster < $1.cluster },
                    admin: context?.user.map { dependencies.permissions.isAdmin($0) } ?? false)
    }

    /// Runs `body` for a signed-in user; otherwise sends them to sign in.
    func signedIn(_ request: Request, _ context: Context, _ body: (PageContext) async throws -> Response) async throws -> Response {
        guard context.user != nil else { return signInFirst(request) }
        return try await body(pageContext(context))
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

    /// The topics and offsets of one connector, read when its page is viewed (one connector, two
    /// calls, a short timeout; never a fan-out over connectors), and shared by every view of it
    /// for a few seconds (``CoalescingCache``).
    func liveDetails(cluster: String, connector: String) async -> ConnectorPage.Live {
        let connections = dependencies.connections
        return await dependencies.glances.value(for: ConnectorView.key(cluster: cluster, name: connector)) {
            do {
                let (topics, offsets) = try await ConnectorOperations(connections: connections).glance(at: connector, cluster: cluster)
                return .init(topics: topics, offsets: offsets)
            } catch let error as ConnectError {
                return .init(error: error.shortDescription)
            } catch {
                return .init(error: Scrubber.scrub("\(error)"))
            }
        }
    }
}
