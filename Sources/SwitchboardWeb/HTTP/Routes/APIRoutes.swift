import ConnectClient
import Foundation
import HTTPTypes
import Hummingbird
import Reconciler
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

/// The JSON API: the same content and permissions as the pages (see /api/openapi.json).
/// State-changing calls need the `X-CSRF-Token` header from `GET /api/v1/me`.
struct APIRoutes {
    typealias Context = SwitchboardRequestContext
    let dependencies: ServerDependencies

    func register(on router: Router<Context>) {
        let v1 = router.group("api/v1")
        registerMe(on: v1)
        registerConnectors(on: v1)
        registerClusters(on: v1)
        registerTeams(on: v1)
        registerAudit(on: v1)
        registerActions(on: v1)
        registerOffsets(on: v1)
    }

    func registerMe(on v1: RouterGroup<Context>) {
        v1.get("me") { _, context in
            try await reading(context) { user, _ in
                try Responses.json(Me(user: user, admin: dependencies.permissions.isAdmin(user), teams: dependencies.permissions.teams(of: user),
                                      roles: dependencies.permissions.roles(of: user),
                                      csrfToken: context.session.map { dependencies.tokens.csrf(forSession: $0.id) } ?? ""))
            }
        }
    }

    func registerConnectors(on v1: RouterGroup<Context>) {
        v1.get("connectors") { request, context in
            try await reading(context) { user, snapshot in
                var filter = try RequestValues.connectorFilter(request)
                let causes = dependencies.permissions.traceScope(of: user)
                let limit = try RequestValues.integer(request, "limit", in: 1...5000, default: 100)
                let page = try listPage(request)
                // The same for every reader of one snapshot: rendered once per snapshot and query.
                let key = "\(filter.key)|\(page.key)|\(limit)|\(causes.key)"
                return Responses.json(try dependencies.apiCache.value(for: key, snapshot: snapshot.takenAt) {
                    if filter.searchesTopics {
                        let lineage = dependencies.flow.lineage(snapshot, catalog: dependencies.catalog)
                        filter.resolveTopics(lineage.connectors(onTopicsContaining:))
                    }
                    let matching = snapshot.connectors(matching: filter)
                    let rows: [ConnectorView], next: ListCursor?
                    if case .offset(let offset) = page.start, page.order == .urgency {
                        // Offsets count rows in the overview's order (the cursor of the last row still leads on).
                        rows = Array(matching.dropFirst(offset).prefix(limit))
                        next = offset + limit < matching.count ? rows.last.map { ListCursor(order: .urgency, after: $0) } : nil
                    } else {
                        (rows, next) = snapshot.page(matching: filter, order: page.order, after: page.cursor, limit: limit)
                    }
                    return ByteBuffer(data: try JSONWriter.compact(ConnectorList(
                        total: matching.count, offset: page.offset, limit: limit, order: page.order.rawValue, counts: StateCounts(matching),
                        connectors: rows.map { row in
                            var summary = ConnectorSummary(row)
                            if !causes.includes(row) { summary.cause = nil }
                            return summary
                        }, next: next?.token,
                        clusters: snapshot.clusters.values.sorted { $0.name < $1.name }.map(ClusterSummary.init),
                        snapshotTakenAt: snapshot.takenAt)))
                })
            }
        }
        v1.get("clusters/{cluster}/connectors/{connector}") { _, context in
            try await reading(context) { user, snapshot in
                let cluster = context.parameters.get("cluster") ?? "", name = context.parameters.get("connector") ?? ""
                guard let connector = snapshot.connectors["\(cluster)/\(name)"] else { return try Responses.error(.notFound, "no connector \(name) on cluster \(cluster)") }
                let audit = await AuditRows.read(dependencies, for: user, limit: 20, cluster: cluster, connector: name)
                let permissions = dependencies.permissions
                let capabilities = permissions.capabilities(user, on: connector)
                return try Responses.json(ConnectorDetail(connector: permissions.visible(connector, to: user), canAct: capabilities.contains(.operate),
                                                          role: permissions.role(user, on: connector), capabilities: capabilities,
                                                          audit: audit.entries, auditError: audit.problem))
            }
        }
    }

    func registerClusters(on v1: RouterGroup<Context>) {
        v1.get("clusters") { _, context in
            try await reading(context) { _, snapshot in
                try Responses.json(snapshot.clusters.values.sorted { $0.name < $1.name }.map(ClusterSummary.init))
            }
        }
        v1.get("clusters/{cluster}") { _, context in
            try await reading(context) { _, snapshot in
                guard let cluster = snapshot.clusters[context.parameters.get("cluster") ?? ""] else { return try Responses.error(.notFound, "no such cluster") }
                return try Responses.json(ClusterSummary(cluster))
            }
        }
    }

    func registerTeams(on v1: RouterGroup<Context>) {
        v1.get("teams") { _, context in
            try await reading(context) { user, snapshot in
                let causes = dependencies.permissions.traceScope(of: user)
                return try Responses.json(dependencies.catalog.teams.map { team(snapshot, $0.name, causes: causes) })
            }
        }
        v1.get("teams/{team}") { _, context in
            try await reading(context) { user, snapshot in
                let name = context.parameters.get("team") ?? ""
                guard dependencies.catalog.team(named: name) != nil else { return try Responses.error(.notFound, "no team \(name)") }
                return try Responses.json(team(snapshot, name, causes: dependencies.permissions.traceScope(of: user)))
            }
        }
    }

    func registerAudit(on v1: RouterGroup<Context>) {
        v1.get("audit") { request, context in
            try await reading(context) { user, _ in
                let limit = try RequestValues.integer(request, "limit", in: 1...1000, default: 100)
                let audit = await AuditRows.read(dependencies, for: user, limit: limit)
                if let problem = audit.problem { return try Responses.error(.serviceUnavailable, problem) }
                return try Responses.json(audit.entries)
            }
        }
    }

    func registerActions(on v1: RouterGroup<Context>) {
        v1.post("clusters/{cluster}/connectors/{connector}/actions/{action}") { request, context in
            guard let action = ConnectorActions.Action(rawValue: context.parameters.get("action") ?? ""), action.capability == .operate, action != .restartTask else {
                return try Responses.error(.badRequest, "actions are restart, pause, resume and stop")
            }
            let query = request.uri.queryParameters
            return try await act(request, context, .init(action: action, cluster: context.parameters.get("cluster") ?? "", connector: context.parameters.get("connector") ?? "",
                                                         includeTasks: query.get("includeTasks") == "true", onlyFailed: query.get("onlyFailed") == "true"))
        }
        v1.post("connectors/actions/{action}") { request, context in
            try await bulk(request, context)
        }
        v1.post("clusters/{cluster}/connectors/{connector}/tasks/{task}/restart") { request, context in
            guard let task = RequestValues.taskID(context.parameters.get("task")) else { return try Responses.error(.badRequest, "the task id must be a number, such as 0") }
            return try await act(request, context, .init(action: .restartTask, cluster: context.parameters.get("cluster") ?? "", connector: context.parameters.get("connector") ?? "", task: task))
        }
    }

    /// KIP-875 offsets: read (readers and up), reset and alter (owners and up, STOPPED only).
    func registerOffsets(on v1: RouterGroup<Context>) {
        let path = "clusters/{cluster}/connectors/{connector}/offsets"
        v1.get(RouterPath(path)) { _, context in
            guard let user = context.user else { return try Responses.error(.unauthorized, "not signed in") }
            let cluster = context.parameters.get("cluster") ?? "", name = context.parameters.get("connector") ?? ""
            guard let connector = dependencies.store.current.connectors["\(cluster)/\(name)"] else { return try Responses.error(.notFound, "no connector \(name) on cluster \(cluster)") }
            let decision = dependencies.permissions.decide(.viewConfig, user, on: connector)
            guard decision.allowed else {
                let reason = "view-offsets on cluster \(cluster) \(decision.reason)"
                await dependencies.actions.record(AuditEntry(user: user.name, action: "view-offsets", cluster: cluster, connector: name, outcome: .denied, detail: reason))
                return try Responses.error(.forbidden, "\(user.name) may not read the offsets of \(name): \(reason)")
            }
            do {
                // Source offsets are the connector's own data (a JDBC source can keep a query in them).
                let offsets = try await ConnectorOperations(connections: dependencies.connections).readOffsets(of: name, cluster: cluster)
                return try Responses.json(offsets.mapStrings { Scrubber.scrub($0) })
            } catch {
                return try Responses.error(.badGateway, (error as? ConnectError)?.description ?? "\(error)")
            }
        }
        v1.delete(RouterPath(path)) { request, context in
            try await act(request, context, .init(action: .resetOffsets, cluster: context.parameters.get("cluster") ?? "", connector: context.parameters.get("connector") ?? ""))
        }
        v1.patch(RouterPath(path)) { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            let offsets: ConnectorOffsets
            do {
                offsets = try ConnectorOffsets.parse(String(buffer: body))
            } catch {
                return try Responses.error(.badRequest, "\(error)")
            }
            return try await act(request, context, .init(action: .alterOffsets, cluster: context.parameters.get("cluster") ?? "", connector: context.parameters.get("connector") ?? "", offsets: offsets))
        }
    }

    /// Where a page of the list starts: a row number or a cursor, in an order.
    struct ListPageStart {
        enum Start { case offset(Int), after(ListCursor) }
        var order: ListCursor.Order
        var start: Start
        var cursor: ListCursor? { if case .after(let cursor) = start { cursor } else { nil } }
        var offset: Int { if case .offset(let offset) = start { offset } else { 0 } }
        var key: String {
            switch start {
            case .offset(let offset): "\(order.rawValue)|o\(offset)"
            case .after(let cursor): "\(order.rawValue)|a\(cursor.token)"
            }
        }
    }

    /// `order`, and `after` or `offset` (not both), as the list API documents them.
    func listPage(_ request: Request) throws(RequestValues.BadQuery) -> ListPageStart {
        let query = request.uri.queryParameters
        let orders = query.getAll("order"), afters = query.getAll("after")
        guard orders.count <= 1, afters.count <= 1 else { throw .init(message: "order and after are each given once") }
        let order: ListCursor.Order
        if let text = orders.first {
            guard let known = ListCursor.Order(rawValue: text) else { throw .init(message: "order must be urgency or name") }
            order = known
        } else {
            order = .urgency
        }
        guard afters.isEmpty || query.getAll("offset").isEmpty else { throw .init(message: "give after or offset, not both") }
        guard order == .urgency || query.getAll("offset").isEmpty else { throw .init(message: "offset is for order=urgency; with order=name, page with after") }
        guard let token = afters.first else { return ListPageStart(order: order, start: .offset(try RequestValues.integer(request, "offset", in: 0...Int(Int32.max), default: 0))) }
        guard let cursor = ListCursor(token: token) else { throw .init(message: "after is not a cursor this server gave (take the next of a page)") }
        guard cursor.order == order else { throw .init(message: "after is a cursor of order=\(cursor.order.rawValue); ask with that order") }
        return ListPageStart(order: order, start: .after(cursor))
    }

    func reading(_ context: Context, _ body: (User, Snapshot) async throws -> Response) async throws -> Response {
        guard let user = context.user else { return try Responses.error(.unauthorized, "not signed in") }
        do {
            return try await body(user, dependencies.store.current)
        } catch let bad as RequestValues.BadQuery {
            return try Responses.error(.badRequest, bad.message)
        }
    }

    func team(_ snapshot: Snapshot, _ name: String, causes: Permissions.TraceScope) -> TeamSummary {
        let team = dependencies.catalog.team(named: name)
        return TeamSummary(name: name, description: team?.description, members: team?.members ?? Principals(),
                           receivers: (team?.alertReceivers ?? []).map(\.kind.rawValue),
                           connectors: snapshot.connectors(matching: ConnectorFilter(team: name)).map { row in
                               var summary = ConnectorSummary(row)
                               if !causes.includes(row) { summary.cause = nil }
                               return summary
                           })
    }

    /// One action over a selection: filters in the query (as the list takes them) or connectors
    /// named in the body; `dryRun=true` says what would be done. Each connector is authorised
    /// with the user's role on it.
    func bulk(_ request: Request, _ context: Context) async throws -> Response {
        guard let user = context.user else { return try Responses.error(.unauthorized, "not signed in") }
        if !context.viaToken, request.isCrossSite || !dependencies.tokens.verifyCSRF(request.headers[HTTPField.Name("X-CSRF-Token")!], forSession: context.session?.id) {
            return try Responses.error(.forbidden, "missing, wrong or expired X-CSRF-Token (GET /api/v1/me returns the one of this session)")
        }
        guard let action = ConnectorActions.Action(rawValue: context.parameters.get("action") ?? ""), ConnectorActions.bulkActions.contains(action) else {
            return try Responses.error(.badRequest, "bulk actions are restart, pause, resume and stop")
        }
        let query = request.uri.queryParameters
        let body = try await request.body.collect(upTo: 1 << 20)
        var named: [String]?
        if body.readableBytes > 0 {
            do {
                named = try JSONDecoder().decode(BulkSelection.self, from: Data(buffer: body)).connectors
            } catch {
                return try Responses.error(.badRequest, #"the body names connectors: {"connectors": ["<cluster>/<name>", ...]}; or send none and filter in the query"#)
            }
        }
        let snapshot = dependencies.store.current
        let connectors: [ConnectorView]
        do {
            var filter = try RequestValues.connectorFilter(request)
            if filter.searchesTopics { filter.resolveTopics(dependencies.flow.lineage(snapshot, catalog: dependencies.catalog).connectors(onTopicsContaining:)) }
            connectors = try ConnectorActions.select(snapshot, catalog: dependencies.catalog, filter: filter, named: named)
            for flag in ["includeTasks", "onlyFailed", "dryRun"] where !["true", "false", nil].contains(query.get(flag)) {
                throw ConnectorActions.BulkRefused("\(flag) is true or false")
            }
        } catch let bad as RequestValues.BadQuery {
            return try Responses.error(.badRequest, bad.message)
        } catch let refused as ConnectorActions.BulkRefused {
            return try Responses.error(.badRequest, refused.message)
        }
        let answer = await dependencies.actions.performBulk(action, on: connectors, includeTasks: query.get("includeTasks") == "true", onlyFailed: query.get("onlyFailed") == "true",
                                                           dryRun: query.get("dryRun") == "true", by: user)
        return try Responses.json(answer)
    }

    func act(_ request: Request, _ context: Context, _ action: ConnectorActions.Request) async throws -> Response {
        if context.user != nil, !context.viaToken, request.isCrossSite || !dependencies.tokens.verifyCSRF(request.headers[HTTPField.Name("X-CSRF-Token")!], forSession: context.session?.id) {
            return try Responses.error(.forbidden, "missing, wrong or expired X-CSRF-Token (GET /api/v1/me returns the one of this session)")
        }
        switch await dependencies.actions.perform(action, by: context.user) {
        case .done(let change): return try Responses.json(ActionDone(action: action.label, offsets: change))
        case .conflict(let message): return try Responses.error(.conflict, message)
        case .unauthenticated: return try Responses.error(.unauthorized, "not signed in")
        case .denied(let reason): return try Responses.error(.forbidden, "\(context.user?.name ?? "anonymous") may not act on \(action.connector): \(reason)")
        case .notFound: return try Responses.error(.notFound, "no connector \(action.connector) on cluster \(action.cluster)\(action.task.map { " with a task \($0)" } ?? "")")
        case .failed(let message): return try Responses.error(.badGateway, message)
        }
    }
}
