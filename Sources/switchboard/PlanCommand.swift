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
        let catalog = try options.loadCatalog()
        let plan = try await Self.makePlan(catalog: catalog, connections: try options.connections(for: catalog))
        switch output {
        case .text: print(PlanRenderer.render(plan))
        case .json: print(try Output.json(plan))
        }
        if detailedExitcode && plan.hasChanges { throw ExitCode(2) }
    }

    /// Reads every cluster (all must answer) and plans.
    static func makePlan(catalog: Catalog, connections: ClusterConnections) async throws -> Plan {
        let live = try await Output.guarding {
            try await LiveStateReader(connections: connections).read(clusters: catalog.clusters.map(\.name))
        }
        return Planner(catalog: catalog).plan(live: live.liveConnectors)
    }
}
