import ConnectClient
import Foundation
import Hummingbird
import Reconciler
import SwitchboardAPI
import SwitchboardCore

/// `GET /api/v1/upgrade-check?cluster=&target=`: before a rolling upgrade, every connector of a
/// cluster checked against a cluster that runs the target release (``UpgradeCheck``). Platform
/// admins only: it sends every connector's config, secrets included, to another cluster's
/// validation (nothing is written, and the answer is scrubbed).
struct UpgradeRoutes {
    typealias Context = SwitchboardRequestContext
    let dependencies: ServerDependencies

    func register(on router: Router<Context>) {
        router.group("api/v1").get("upgrade-check") { request, context in
            guard let user = context.user else { return try Responses.error(.unauthorized, "not signed in") }
            let query = request.uri.queryParameters
            let cluster = query.get("cluster") ?? "", target = query.get("target") ?? ""
            guard dependencies.permissions.isAdmin(user) else {
                await dependencies.audit.note(AuditEntry(user: user.name, action: "upgrade-check", cluster: cluster, connector: "-", outcome: .denied, detail: "needs platform admin"),
                                              logger: dependencies.logger)
                return try Responses.error(.forbidden, "an upgrade check sends every connector's config to another cluster: it needs a platform admin")
            }
            for (name, value) in [("cluster", cluster), ("target", target)] where dependencies.catalog.cluster(named: value) == nil {
                return try Responses.error(.badRequest, "\(name)=\(value) is not a cluster of the catalog (\(dependencies.catalog.clusters.map(\.name).joined(separator: ", ")))")
            }
            guard cluster != target else { return try Responses.error(.badRequest, "cluster and target are the same; target names a cluster that runs the release to upgrade to") }
            do {
                return try Responses.json(try await UpgradeCheck(catalog: dependencies.catalog, connections: dependencies.connections).run(cluster: cluster, target: target))
            } catch let error as ConnectError {
                return try Responses.error(.badGateway, error.description)
            }
        }
    }
}
