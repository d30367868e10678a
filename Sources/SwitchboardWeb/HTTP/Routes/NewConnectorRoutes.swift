import ConnectClient
import Foundation
import HTTPTypes
import Hummingbird
import Reconciler
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

/// `GET /new-connector`: the New connector page (team owners; see ``NewConnectorPage``). The
/// plugin's description is read from the cluster once a minute per cluster and class
/// (``ServerDependencies/scaffolds``), so page views do not fan out to Connect; "Check with
/// Connect" validates the form's config (one call per click).
struct NewConnectorRoutes {
    typealias Context = SwitchboardRequestContext
    let dependencies: ServerDependencies

    /// What the reader picked (team, cluster, class, name), with what each list offers: the
    /// reader's teams, the catalog's clusters, and per cluster the snapshot's plugins the policy allows there.
    func choice(_ request: Request, owned: [String], snapshot: Snapshot) -> NewConnectorPage.Choice {
        let query = request.uri.queryParameters
        let catalog = dependencies.catalog
        let text = { (name: String) in query.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        var choice = NewConnectorPage.Choice(teams: owned, clusters: catalog.clusters.map(\.name), classes: [:], team: text("team") ?? owned.first,
                                             cluster: text("cluster") ?? catalog.clusters.first?.name, connectorClass: text("class"), name: text("name"))
        for cluster in catalog.clusters {
            let allowed = cluster.allowedClasses ?? catalog.policy.allowedClasses
            choice.classes[cluster.name] = (snapshot.clusters[cluster.name]?.plugins ?? [])
                .filter { ["source", "sink"].contains($0.type) && (allowed?.contains($0.className) ?? true) }.sorted { $0.className < $1.className }
        }
        return choice
    }

    func register(on router: Router<Context>) {
        let pages = PageRoutes(dependencies: dependencies)
        router.get("/new-connector") { request, context in
            try await pages.signedIn(request, context) { page in
                guard let user = context.user else { return pages.signInFirst(request) }
                let query = request.uri.queryParameters
                let catalog = dependencies.catalog
                let owned = dependencies.permissions.teams(of: user)
                guard !owned.isEmpty else {
                    return Responses.html(ErrorPage.render(page, title: "New connector", message: "Only a team's owners write its connector files, and \(user.name) owns no team (team.yaml members and groups)."), status: .forbidden)
                }
                let choice = choice(request, owned: owned, snapshot: page.snapshot)
                let render = { (scaffold: ConnectorScaffold?, problem: String?, errors: [String: [String]]?, status: HTTPResponse.Status) in
                    Responses.html(NewConnectorPage.render(page, choice: choice, scaffold: scaffold, policy: catalog.policy, problem: problem.map { Scrubber.scrub($0) }, errors: errors), status: status)
                }
                if let team = choice.team, !owned.contains(team) {
                    return render(nil, "\(user.name) is not an owner of team \(team): only its owners write its connector files.", nil, .forbidden)
                }
                guard let team = choice.team, let cluster = choice.cluster, let connectorClass = choice.connectorClass, let name = choice.name else {
                    return render(nil, nil, nil, .ok)
                }
                let scaffolder = ConnectorScaffolder(catalog: catalog, connections: dependencies.connections)
                var scaffold: ConnectorScaffold
                do throws(ConnectorScaffolder.Refused) {
                    try scaffolder.checkNew(team: team, name: name)
                    let template = await dependencies.scaffolds.value(for: "\(cluster)\u{1F}\(connectorClass)") { () -> Result<ConnectorScaffold, ConnectorScaffolder.Refused> in
                        do throws(ConnectorScaffolder.Refused) {
                            return .success(try await scaffolder.template(cluster: cluster, connectorClass: connectorClass))
                        } catch {
                            return .failure(error)
                        }
                    }
                    scaffold = try template.get()
                } catch {
                    return render(nil, error.message, nil, .badRequest)
                }
                scaffold.team = team
                scaffold.name = name
                for (key, value) in query where key.hasPrefix("key.") {
                    scaffold.values[String(key.dropFirst(4))] = String(value)
                }
                if query.get("download") == "1" {
                    return Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name).yaml\""],
                                    body: .init(byteBuffer: ByteBuffer(string: scaffold.yaml(policy: catalog.policy))))
                }
                var errors: [String: [String]]?
                if query.get("check") == "1" {
                    do throws(ConnectorScaffolder.Refused) {
                        errors = try await scaffolder.check(scaffold)
                    } catch {
                        return render(scaffold, error.message, nil, .badGateway)
                    }
                }
                return render(scaffold, nil, errors, .ok)
            }
        }
    }
}
