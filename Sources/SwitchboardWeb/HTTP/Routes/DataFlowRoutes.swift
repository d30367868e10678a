import Foundation
import Hummingbird
import SwitchboardAPI
import SwitchboardCore
import SwitchboardDataFlow
import SwitchboardSnapshot

/// Where data goes and how it moves: the lineage page, and the lineage and a connector's
/// history as JSON. Every signed-in user may read them (docs/data-flow.md): they show names,
/// owners, states, topic names and numbers, never a config value.
struct DataFlowRoutes {
    typealias Context = SwitchboardRequestContext
    let dependencies: ServerDependencies

    func register(on router: Router<Context>) {
        router.get("/lineage") { request, context in
            let pages = PageRoutes(dependencies: dependencies)
            return try await pages.signedIn(request, context) { page in
                let scope = Self.scope(request)
                let snapshot = page.snapshot
                let teams = { Set(dependencies.catalog.teams.map(\.name)).union(snapshot.connectors.values.compactMap(\.team)).sorted() }
                // A large platform's whole graph is unreadable (and the costliest page): without a
                // scope asked for, the page opens on the user's own team, or asks for one.
                if scope == .platform, request.uri.query?.isEmpty ?? true, snapshot.connectors.count > Self.wholePlatformUpTo {
                    if let user = context.user, let team = dependencies.permissions.teams(of: user).first {
                        return Responses.redirect("/lineage" + HTML.query([("team", team)]))
                    }
                    let chooser = dependencies.pageCache.value(for: "lineage|chooser", snapshot: snapshot.takenAt) {
                        LineagePage.chooser(connectors: snapshot.connectors.count, teams: teams())
                    }
                    return Responses.html(Layout.page(Self.title(scope), page, chooser))
                }
                // Rendered once per snapshot (the lineage index is built with each snapshot).
                let body = dependencies.pageCache.value(for: "lineage|\(scope.cacheKey)", snapshot: snapshot.takenAt) {
                    LineagePage.body(dependencies.lineage(scope, snapshot), scope: scope, teams: teams())
                }
                return Responses.html(Layout.page(Self.title(scope), page, body))
            }
        }
        let v1 = router.group("api/v1")
        v1.get("lineage") { request, context in
            guard context.user != nil else { return try Responses.error(.unauthorized, "sign in first") }
            let snapshot = dependencies.store.current
            let scope = Self.scope(request)
            return Responses.json(try dependencies.apiCache.value(for: "lineage|\(scope.cacheKey)", snapshot: snapshot.takenAt) {
                ByteBuffer(data: try JSONWriter.compact(dependencies.lineage(scope, snapshot)))
            })
        }
        v1.get("clusters/{cluster}/connectors/{connector}/history") { request, context in
            guard context.user != nil else { return try Responses.error(.unauthorized, "sign in first") }
            let cluster = context.parameters.get("cluster") ?? "", name = context.parameters.get("connector") ?? ""
            guard dependencies.store.current.connectors["\(cluster)/\(name)"] != nil else { return try Responses.error(.notFound, "no connector \(name) on cluster \(cluster)") }
            guard let hours = Self.hours(request) else { return try Responses.error(.badRequest, "hours must be a number from 0.25 to 24") }
            return try Responses.json(await dependencies.flow.series(cluster: cluster, connector: name, hours: hours))
        }
    }

    /// Up to this many connectors, `/lineage` without a scope draws the whole platform; above, it
    /// opens on the user's team (or asks for a team or topic), and `/lineage?team=` draws it all.
    static let wholePlatformUpTo = 2_500

    /// `?team=`, `?connector=cluster/name` or `?topic=`; the whole platform without any.
    static func scope(_ request: Request) -> LineageScope {
        let query = request.uri.queryParameters
        if let team = query.get("team"), !team.isEmpty { return .team(team) }
        if let connector = query.get("connector"), !connector.isEmpty { return .connector(connector) }
        if let topic = query.get("topic"), !topic.isEmpty { return .topic(topic) }
        return .platform
    }

    /// `?hours=` (default 3), from a quarter of an hour to a day; nil when it is not.
    static func hours(_ request: Request) -> Double? {
        guard let text = request.uri.queryParameters.get("hours") else { return 3 }
        guard let hours = Double(text), hours.isFinite, (0.25...24).contains(hours) else { return nil }
        return hours
    }

    static func title(_ scope: LineageScope) -> String {
        switch scope {
        case .platform: "Lineage"
        case .team(let team): "Lineage of team \(team)"
        case .connector(let key): "Lineage of \(key)"
        case .topic(let name): "Lineage of topic \(name)"
        }
    }
}

extension ServerDependencies {
    /// The lineage of a scope in a snapshot.
    func lineage(_ scope: LineageScope, _ snapshot: Snapshot) -> LineageGraph {
        flow.lineage(snapshot, catalog: catalog).graph(scope)
    }
}
