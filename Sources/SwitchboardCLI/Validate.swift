import ArgumentParser
import Foundation
import Reconciler
import SwitchboardCore

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the catalog against platform policy (offline), and optionally with Connect itself.",
        discussion: """
            Offline checks: YAML syntax, unknown and missing keys, team and connector names (the \
            team prefix), duplicate names, unknown clusters, allowed classes per cluster, the tasks \
            ceiling, secrets as config-provider references, required, forbidden and reserved keys. \
            Every problem names the file, line, rule and fix.

            Every entry under the catalog is accounted for: a file or folder that Switchboard does \
            not understand where it stands (orders.YAML, a broken or outside symlink, a misspelt \
            connectors/ folder) is a problem, never skipped.

            With --server, each connector's config is also sent to its cluster's \
            PUT /connector-plugins/{class}/config/validate and Connect's errors are shown per key \
            (the same check apply makes before its first write).

            Exit status: 0 valid, 1 problems found or a cluster unreachable.

            Examples:
              switchboard validate --catalog examples/catalog
              switchboard validate --catalog examples/catalog --server
            """
    )

    @OptionGroup var options: CatalogOptions

    @Flag(help: "Also ask each connector's Connect cluster to validate its config.")
    var server = false

    @Option(help: "text or json.")
    var output: OutputFormat = .text

    func run() async throws {
        let result = CatalogLoader.load(from: options.catalogURL)
        var violations = result.violations + PolicyChecker(catalog: result.catalog).check()
        if server && violations.isEmpty {
            let connections = try options.connections(for: result.catalog)
            violations += try await Output.guarding {
                try await ServerValidator(catalog: result.catalog, connections: connections).validate()
            }
        }
        let sorted = CatalogError(violations: violations).violations
        switch output {
        case .json:
            print(try JSONWriter.pretty(["valid": AnyEncodable(sorted.isEmpty), "violations": AnyEncodable(sorted)]))
        case .text:
            if sorted.isEmpty {
                let catalog = result.catalog
                print("The catalog is valid: \(catalog.connectors.count) connector(s) of \(catalog.teams.count) team(s) on \(catalog.clusters.count) cluster(s)\(server ? ", checked by Connect" : "").")
            } else {
                Output.standardError(CatalogError(violations: sorted).description)
            }
        }
        if !sorted.isEmpty { throw ExitCode.failure }
    }
}
