import ArgumentParser
import Foundation
import Reconciler
import SwitchboardCore

/// `switchboard upgrade-check`: before upgrading a cluster's Connect, every connector it runs
/// checked against a cluster that already runs the target release.
struct UpgradeCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade-check",
        abstract: "Before a rolling upgrade: check every connector of a cluster against a cluster that runs the target Connect release.",
        discussion: """
            Reads the connectors that run on --cluster (one bulk read) and has --target validate \\
            each one's config with Connect's own check (PUT /connector-plugins/{class}/config/validate; \\
            nothing is written anywhere). Each connector is then, with its owning team:
              ready           the target accepts its config as it is
              needs-change    a key the target rejects (Connect's message), or a key the source \\
                              knows that the target does not (it would be ignored there)
              plugin-missing  the target has no plugin of its class (in the version it pins)
            Secret values never appear: Connect's messages are scrubbed with the config's secrets.

            Exit status: 0 every connector is ready, 2 some team must act first, 1 error.

            Examples:
              switchboard upgrade-check --catalog examples/catalog --cluster ingest --target analytics
              switchboard upgrade-check --catalog examples/catalog --cluster ingest --target analytics --output json
            """
    )

    @OptionGroup var options: CatalogOptions

    @Option(help: ArgumentHelp("The cluster to upgrade (its connectors are checked).", valueName: "name"))
    var cluster: String

    @Option(help: ArgumentHelp("A cluster that runs the release to upgrade to.", valueName: "name"))
    var target: String

    @Option(help: "text or json.")
    var output: OutputFormat = .text

    func validate() throws {
        guard cluster != target else { throw ValidationError("--cluster and --target are the same cluster; name a cluster that already runs the target release as --target.") }
    }

    func run() async throws {
        let catalog = try options.loadCatalog()
        for (flag, name) in [("--cluster", cluster), ("--target", target)] where catalog.cluster(named: name) == nil {
            Output.error("\(flag) \(name) is not a cluster of switchboard.yaml (\(catalog.clusters.map(\.name).joined(separator: ", "))).")
            throw ExitCode(64)
        }
        let connections = try options.connections(for: catalog)
        let report = try await Output.guarding { try await UpgradeCheck(catalog: catalog, connections: connections).run(cluster: cluster, target: target) }
        switch output {
        case .json: print(try JSONWriter.pretty(report))
        case .text: print(Self.render(report))
        }
        if report.findings.contains(where: { $0.verdict != .ready }) { throw ExitCode(2) }
    }

    static func render(_ report: UpgradeReport) -> String {
        var lines = ["Upgrade check: \(report.findings.count) connector(s) of \(report.cluster) (Connect \(report.release)) against \(report.target) (Connect \(report.targetRelease))"]
        let rows = report.findings.map { [$0.connector, $0.team ?? "-", $0.verdict.rawValue, $0.problems.map { problem in (problem.key.map { "\($0): " } ?? "") + problem.message }.joined(separator: "; ")] }
        lines.append(Table.render(header: ["CONNECTOR", "TEAM", "VERDICT", "WHAT TO CHANGE"], rows: rows))
        let teams = report.teamsToAct
        lines.append(teams.isEmpty ? "Every connector is ready." : "Teams that must act first: " + teams.map { "\($0.team) (\($0.connectors.count))" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}
