import ArgumentParser
import ConnectClient
import Foundation
import Logging
import Outbound
import Reconciler
import SwitchboardCore

/// `--catalog DIR`, shared by the commands that read a catalog.
struct CatalogOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The catalog folder (holds switchboard.yaml and teams/). Default: $SWITCHBOARD_CATALOG, else the current folder.", valueName: "dir"))
    var catalog: String?

    @Option(help: ArgumentHelp("Seconds any one network wait may take (a Connect call, an artifact store, a cluster read). Default: $SWITCHBOARD_TIMEOUT, else 30.", valueName: "seconds"))
    var timeout: Int?

    func validate() throws {
        if let timeout, !(1...3600).contains(timeout) {
            throw ValidationError("--timeout must be between 1 and 3600 seconds.")
        }
    }

    /// The network deadline: `--timeout`, else `$SWITCHBOARD_TIMEOUT`, else 30 s.
    var networkTimeout: Duration {
        timeout.map { .seconds($0) } ?? HTTPPolicy.timeout() ?? HTTPPolicy.defaultTimeout
    }

    var catalogURL: URL {
        let path = catalog ?? ProcessInfo.processInfo.environment["SWITCHBOARD_CATALOG"] ?? "."
        return URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    /// Loads the catalog and checks its policy; violations are printed and end the command.
    func loadCatalog() throws -> Catalog {
        do {
            return try CatalogLoader.loadChecked(from: catalogURL)
        } catch {
            Output.error("the catalog in \(catalogURL.path) has problems:\n" + error.description)
            throw ExitCode.failure
        }
    }

    /// Clients for the catalog's clusters, logging to `logger` (every Connect request at debug
    /// level with `SWITCHBOARD_LOG_LEVEL=debug`); a missing password ends the command.
    func connections(for catalog: Catalog, logger: Logger = Logger(label: "switchboard")) throws -> ClusterConnections {
        try Output.guarding { try ClusterConnections(catalog: catalog, timeout: networkTimeout, logger: logger) }
    }
}

/// `--output text|json`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
