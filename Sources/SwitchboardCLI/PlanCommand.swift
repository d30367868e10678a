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
            to DELETE (connectors of a catalog team that the catalog no longer defines; listed first, \
            and named at the top of the plan), state changes, the unchanged, connectors kept although \
            not in the catalog (protected, or their team's folder has problems), and unmanaged \
            connectors (whose name carries no catalog team), which are never touched. Each cluster \
            is read within --timeout.

            --output markdown writes the plan as a pull-request comment: deletes first and in a \
            caution block, each cluster with its environment, key changes in a collapsed diff, secret \
            values masked (examples/ci/ posts it on every pull request).

            Every plan says whom it hurts, from the lineage: a source it deletes, pauses or stops             (or whose topics change) names the connectors of other teams that read those topics             (declared in their configs, or matched by their topics.regex), with the topics; a sink             whose topics change names where its new input comes from. Consumers outside Kafka             Connect are not known, and the plan says so rather than "no impact". The markdown             mentions the affected teams' reviewers. Under policy.impact.crossTeam: require-approval,             apply needs --approve-impact team:<name> for each affected team.

            Exit status: 0 no changes, 1 error; with --detailed-exitcode, 2 when there are changes \
            (as terraform plan -detailed-exitcode).

            Examples:
              switchboard plan --catalog examples/catalog
              switchboard plan --catalog examples/catalog --output json --detailed-exitcode
              switchboard plan --catalog examples/catalog --output markdown > plan.md
            """
    )

    @OptionGroup var options: CatalogOptions

    /// `--output`: plan alone also writes markdown.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown
    }

    @Option(help: "text, json, or markdown (a pull-request comment).")
    var output: Format = .text

    @Flag(help: "Exit 2 when there are changes, 0 when there are none.")
    var detailedExitcode = false

    func run() async throws {
        let (catalog, _, plan) = try await Self.loadAndPlan(options)
        switch output {
        case .text: print(PlanRenderer.render(plan, deleteLimit: catalog.policy.maxDeletesPerApply))
        case .json: print(try JSONWriter.pretty(plan))
        case .markdown:
            print(PlanRenderer.markdown(plan, deleteLimit: catalog.policy.maxDeletesPerApply,
                                        reviewers: Dictionary(uniqueKeysWithValues: catalog.teams.map { ($0.name, $0.reviewers) })), terminator: "")
        }
        if detailedExitcode && plan.hasChanges { throw ExitCode(2) }
    }

    /// Loads and checks the catalog, reads every cluster (all must answer), and plans.
    ///
    /// The clusters are read while the teams' files load: the read starts as soon as
    /// switchboard.yaml names the clusters (reads change nothing, so a catalog that then turns out
    /// to have problems costs nothing but the read).
    static func loadAndPlan(_ options: CatalogOptions) async throws -> (Catalog, ClusterConnections, Plan) {
        let timeout = options.networkTimeout
        // An optimisation only: when the early read cannot start (`try?`: the credentials are
        // checked again below, with their error), the clusters are read after loading. Its
        // result, success or failure, is used as it is: a cluster is read once, within the deadline.
        let early: (clusters: [ClusterDefinition], read: Task<Result<LiveState, ClustersUnreachable>, Never>)? = CatalogLoader.loadClusters(from: options.catalogURL).flatMap { clusters in
            guard let connections = try? ClusterConnections(clusters: clusters, timeout: timeout) else { return nil }
            return (clusters, Task {
                do throws(ClustersUnreachable) {
                    return .success(try await LiveStateReader(connections: connections, deadline: timeout).read(clusters: clusters.map(\.name)))
                } catch {
                    return .failure(error)
                }
            })
        }
        let catalog: Catalog
        do {
            catalog = try options.loadCatalog()
        } catch {
            early?.read.cancel()
            throw error
        }
        let connections = try options.connections(for: catalog)
        let live: LiveState
        if let early, early.clusters == catalog.clusters {
            live = try await Output.guarding { try await early.read.value.get() }
        } else {
            early?.read.cancel()
            live = try await Output.guarding { try await LiveStateReader(connections: connections, deadline: timeout).read(clusters: catalog.clusters.map(\.name)) }
        }
        var plan = Planner(catalog: catalog).plan(live: live.liveConnectors)
        // Whom the changes hurt: readers of other teams of what a source stops writing.
        plan.impact = await ImpactReader(connections: connections).assess(plan, live: live.liveConnectors, catalog: catalog)
        // What a change asks of its cluster's Connect release (a pinned plugin version needs 4.1):
        // said now, as a problem of the catalog, rather than by the worker at apply time.
        let written = Set(plan.changes.filter { $0.action == .create || $0.action == .update }.map { "\($0.cluster)/\($0.connector)" })
        let changed = catalog.connectors.filter { written.contains("\($0.cluster)/\($0.fullName)") }
        let unsupported = try await Output.guarding { try await ServerValidator(catalog: catalog, connections: connections).releaseViolations(changed) }
        if !unsupported.isEmpty {
            _ = try Output.guarding { () throws -> Void in throw CatalogError(violations: unsupported) }
        }
        return (catalog, connections, plan)
    }
}
