import ArgumentParser
import Foundation
import Reconciler
import SwitchboardCore

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change on each cluster (a diff of the catalog against what runs).",
        discussion: """
            Reads each cluster's live state with one bulk call (GET /connectors?expand=info&expand=status) \
            and shows, per cluster: connectors to create, to update (key by key, secret values masked), \
            to delete (managed connectors no longer in the catalog), state changes, the unchanged, \
            and unmanaged connectors (whose name carries no catalog team), which are never touched.

            Exit status: 0 no changes, 1 error; with --detailed-exitcode, 2 when there are changes \
            (as terraform plan -detailed-exitcode).

            Examples:
              switchboard plan --catalog examples/catalog
              switchboard plan --catalog examples/catalog --output json --detailed-exitcode
            """
    )

    @OptionGroup var options: CatalogOptions

    @Option(help: "text or json.")
    var output: OutputFormat = .text

    @Flag(help: "Exit 2 when there are changes, 0 when there are none.")
    var detailedExitcode = false

    func run() async throws {
        let (_, _, plan) = try await Self.loadAndPlan(options)
        switch output {
        case .text: print(PlanRenderer.render(plan))
        case .json: print(try Output.json(plan))
        }
        if detailedExitcode && plan.hasChanges { throw ExitCode(2) }
    }

    /// Loads and checks the catalog, reads every cluster (all must answer), and plans.
    ///
    /// The clusters are read while the teams' files load: the read starts as soon as
    /// switchboard.yaml names the clusters (reads change nothing, so a catalog that then turns out
    /// to have problems costs nothing but the read).
    static func loadAndPlan(_ options: CatalogOptions) async throws -> (Catalog, ClusterConnections, Plan) {
        let early: Task<LiveState?, Never>? = CatalogLoader.loadClusters(from: options.catalogURL).flatMap { clusters in
            guard let connections = try? ClusterConnections(clusters: clusters) else { return nil }
            return Task { try? await LiveStateReader(connections: connections).read(clusters: clusters.map(\.name)) }
        }
        let catalog: Catalog
        do {
            catalog = try options.loadCatalog()
        } catch {
            early?.cancel()
            throw error
        }
        let connections = try options.connections(for: catalog)
        let names = catalog.clusters.map(\.name)
        var live = await early?.value
        if live.map({ Set($0.clusters.keys) != Set(names) }) ?? true {
            live = try await Output.guarding { try await LiveStateReader(connections: connections).read(clusters: names) }
        }
        return (catalog, connections, Planner(catalog: catalog).plan(live: live!.liveConnectors))
    }
}
