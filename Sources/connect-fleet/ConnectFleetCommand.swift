import ArgumentParser
import ConnectFleet
import Foundation
import Logging

/// Bench tooling: a simulated fleet of Kafka Connect clusters (see ConnectFleet) and the catalog
/// that matches it (bench/scale.sh runs both), and the audit log at a million rows (bench/audit.sh).
@main
struct ConnectFleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect-fleet",
        abstract: "A simulated fleet of Kafka Connect clusters, for measuring Switchboard at scale.",
        discussion: """
            Serves Connect's REST API for N clusters (ports --base-port, --base-port + 1, ...) from
            generated answers with the fields and types of a real 3.9 worker's: the bulk
            ?expand=info&expand=status read, /, plugins, a connector's status, config, topics and
            offsets, restarts, pause, resume and stop. A share of connectors is failed or degraded,
            and a slice changes state between two bulk reads. GET /__fleet/stats on a cluster's
            port counts what it was asked. For cost only: real workers are the test of behaviour.

            Examples:
              connect-fleet serve --connectors 20000 --clusters 10 --teams 300
              connect-fleet catalog --connectors 20000 --clusters 10 --teams 300 --out /tmp/fleet-catalog
              connect-fleet catalog --connectors 20000 --clusters 10 --teams 300 --out /tmp/one-team --team team-001
            """,
        subcommands: [Serve.self, WriteCatalog.self, AuditBench.self]
    )
}

struct FleetOptions: ParsableArguments {
    @Option(help: "Connectors over all clusters.") var connectors = 20_000
    @Option(help: "Clusters (fleet-01, fleet-02, ...).") var clusters = 10
    @Option(help: "Teams (team-001, ...); connectors are dealt to them in turn.") var teams = 300
    @Option(help: "The first cluster's port; cluster k listens on base-port + k - 1.") var basePort = 48_000
    @Option(help: "Share of connectors whose task is FAILED.") var failed = 0.01
    @Option(help: "Share of connectors with three tasks, one FAILED.") var degraded = 0.02
    @Option(help: "Share of connectors PAUSED or STOPPED.") var paused = 0.03
    @Option(help: "Share of connectors whose state changes between two bulk reads.") var churn = 0.002

    func validate() throws {
        guard connectors >= 1, clusters >= 1, teams >= 1 else { throw ValidationError("--connectors, --clusters and --teams must be at least 1.") }
        guard (1...65_000).contains(basePort), basePort + clusters <= 65_535 else { throw ValidationError("--base-port leaves no room for \(clusters) clusters.") }
        for (name, share) in [("failed", failed), ("degraded", degraded), ("paused", paused), ("churn", churn)] where !(0...1).contains(share) {
            throw ValidationError("--\(name) is a share between 0 and 1, not \(share).")
        }
        guard failed + degraded + paused <= 1 else { throw ValidationError("--failed, --degraded and --paused add up to more than 1.") }
    }

    var spec: FleetSpec {
        FleetSpec(clusters: clusters, connectors: connectors, teams: teams, failed: failed, degraded: degraded, paused: paused, churn: churn, basePort: basePort)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the fleet until SIGTERM or Ctrl-C.")
    @OptionGroup var fleet: FleetOptions

    func run() async throws {
        var logger = Logger(label: "connect-fleet")
        logger.logLevel = .warning
        let spec = fleet.spec
        print("connect-fleet: \(spec.connectors) connectors on \(spec.clusters) clusters, ports \(spec.basePort)-\(spec.port(ofCluster: spec.clusters - 1))")
        try await FleetServer.run(spec, logger: logger)
    }
}

struct WriteCatalog: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "catalog", abstract: "Write the catalog that matches the fleet (a plan of it has no changes).")
    @OptionGroup var fleet: FleetOptions
    @Option(help: "The folder to write (must not exist).") var out: String
    @Option(help: "Only this team's folder (repeat for more).") var team: [String] = []

    func run() throws {
        try FleetCatalog.write(fleet.spec, to: URL(fileURLWithPath: out), teams: team.isEmpty ? nil : Set(team))
        print("Wrote \(out)")
    }
}

