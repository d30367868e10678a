import ArgumentParser
import Foundation
import Reconciler
import SwitchboardCore

/// `switchboard new connector`: a connector file scaffolded from the cluster's own description
/// of the plugin.
struct New: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a new catalog file from what a cluster says of a plugin.",
        subcommands: [NewConnector.self]
    )
}

struct NewConnector: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connector",
        abstract: "Write teams/<team>/connectors/<name>.yaml for a plugin the cluster has, with the keys it needs.",
        discussion: """
            Asks the cluster for the plugin's keys (GET /connector-plugins/{class}/config) and which \
            ones a config without them lacks (Connect's own validation), then writes the file: those \
            keys with CHANGE-ME to fill (or the plugin's default), secrets as config-provider \
            references (never a value), each key's documentation as a comment, the values the \
            policy's defaults give it, and the plugin's other important keys commented out. The \
            class must be on the cluster and allowed there by the policy; an existing file is never \
            overwritten. The catalog stays the one source of truth: nothing is created on the \
            cluster. Fill in the placeholders, then `switchboard validate --server`, and open a pull \
            request.

            Examples:
              switchboard new connector --team payments --cluster ingest --name orders-cdc \\
                --class io.debezium.connector.postgresql.PostgresConnector
              switchboard new connector --team analytics --cluster ingest --name orders-file \\
                --class org.apache.kafka.connect.file.FileStreamSinkConnector --catalog examples/catalog
              switchboard new connector --cluster ingest --list-classes   # what the cluster offers
            """
    )

    @OptionGroup var options: CatalogOptions

    @Option(help: "The team that owns it (a folder under teams/).")
    var team: String?

    @Option(help: "The cluster it runs on.")
    var cluster: String

    @Option(name: .customLong("class"), help: ArgumentHelp("The connector class (see --list-classes).", valueName: "class"))
    var connectorClass: String?

    @Option(help: "Its name, without the team prefix (lower case: letters, digits, dots, dashes).")
    var name: String?

    @Flag(help: "List the connector classes the cluster has and the policy allows there, and write nothing.")
    var listClasses = false

    func validate() throws {
        guard !listClasses else { return }
        for (flag, value) in [("--team", team), ("--class", connectorClass), ("--name", name)] where (value ?? "").isEmpty {
            throw ValidationError("\(flag) is needed (or --list-classes to see what cluster \(cluster) offers). Nothing was written.")
        }
    }

    func run() async throws {
        let catalog = try options.loadCatalog()
        let scaffolder = ConnectorScaffolder(catalog: catalog, connections: try options.connections(for: catalog))
        if listClasses {
            let classes = try await Output.guarding { try await scaffolder.classes(on: cluster) }
            for plugin in classes { Output.line("\(plugin.type)\t\(plugin.className)\t\(plugin.version ?? "")") }
            return
        }
        let (team, name, connectorClass) = (team ?? "", name ?? "", connectorClass ?? "")
        let scaffold = try await Output.guarding { try await scaffolder.scaffold(team: team, name: name, cluster: cluster, connectorClass: connectorClass) }
        let file = options.catalogURL.appendingPathComponent(scaffold.path)
        let yaml = scaffold.yaml(policy: catalog.policy)
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            // `.withoutOverwriting`: an existing file (or one made meanwhile) is an error, never replaced.
            try Data(yaml.utf8).write(to: file, options: .withoutOverwriting)
        } catch CocoaError.fileWriteFileExists {
            Output.error("\(file.path) exists; new connector never overwrites a file. Pick another --name, or edit that file. Nothing was written.")
            throw ExitCode.failure
        } catch {
            Output.error("cannot write \(file.path): \(error.localizedDescription). Nothing was written.")
            throw ExitCode.failure
        }
        let toFill = scaffold.written(policy: catalog.policy).filter { scaffold.value(of: $0, policy: catalog.policy) == ConnectorScaffold.placeholder }.map(\.name)
        let secrets = scaffold.written(policy: catalog.policy).filter { SecretMatcher.isReference(scaffold.value(of: $0, policy: catalog.policy)) }.map(\.name)
        Output.line("Wrote \(file.path)")
        if !toFill.isEmpty { Output.line("Fill in: \(toFill.joined(separator: ", "))") }
        if !secrets.isEmpty { Output.line("Secrets (as references; put each value where its reference points): \(secrets.joined(separator: ", "))") }
        Output.line("Then: switchboard validate --server --catalog \(options.catalogURL.path)")
    }
}
