import ArgumentParser
import ConnectClient
import Foundation
import Reconciler
import SwitchboardCore
import SwitchboardPlugins

/// `switchboard plugins ...`: plugin artifacts detached from the worker image.
struct Plugins: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mirror plugin artifacts to the artifact store, install a cluster's set into plugin.path, verify the workers.",
        discussion: """
            plugins.yaml in the catalog lists the artifacts (name, version, type jar/zip/tar.gz, upstream \
            source, sha256, the connector classes they provide), the artifact store, and which \
            cluster runs which. Clusters install from the store, never from the internet.

            Examples:
              switchboard plugins mirror --catalog examples/catalog
              switchboard plugins install --catalog examples/catalog --cluster ingest --dest /opt/connect/plugins
              switchboard plugins verify --catalog examples/catalog --cluster ingest
            """,
        subcommands: [Mirror.self, Install.self, Verify.self]
    )

    /// Where plugins.yaml comes from: a catalog folder, or the file alone (in an init container).
    struct ManifestOptions: ParsableArguments {
        @OptionGroup var catalog: CatalogOptions

        @Option(help: ArgumentHelp("plugins.yaml by itself (for init containers); relative paths in it resolve against its folder.", valueName: "file"))
        var manifest: String?

        @Option(help: ArgumentHelp("The artifact store URL, instead of plugins.yaml's `store.url` (file:///path or https://...).", valueName: "url"))
        var store: String?

        @Option(help: ArgumentHelp("Seconds a whole download or upload may take (default 600); --timeout bounds each answer and each pause in a body.", valueName: "seconds"))
        var transferTimeout: Int?

        var timeouts: TransferTimeouts {
            TransferTimeouts(network: catalog.networkTimeout, transfer: transferTimeout.map { .seconds($0) } ?? TransferTimeouts().transfer)
        }

        func validate() throws {
            if let transferTimeout, transferTimeout < 1 { throw ValidationError("--transfer-timeout must be at least 1 second.") }
            if let store, Scrubber.holdsCredential(store) {
                throw ValidationError("--store holds credentials; write the URL without them and set bearerTokenEnv or passwordEnv in plugins.yaml.")
            }
        }

        /// The manifest file and the folder relative paths resolve against.
        var location: (file: URL, base: URL) {
            if let manifest {
                let file = URL(fileURLWithPath: manifest).standardizedFileURL
                return (file, file.deletingLastPathComponent())
            }
            return (catalog.catalogURL.appendingPathComponent(CatalogLoader.pluginsFile), catalog.catalogURL)
        }

        func load() throws -> (PluginManifest, base: URL) {
            let (file, base) = location
            return (try Self.readManifest(file, unreadable: "; pass --catalog DIR (holding plugins.yaml) or --manifest FILE."), base)
        }

        /// Reads and checks a plugins.yaml; a file that cannot be read or has problems is one
        /// error naming it (`unreadable` is added to the first kind) and ends the command.
        static func readManifest(_ file: URL, unreadable hint: String = "") throws -> PluginManifest {
            let text: String
            do {
                text = try String(contentsOf: file, encoding: .utf8)
            } catch {
                Output.error("cannot read \(file.path) (\((error as NSError).localizedDescription))\(hint)")
                throw ExitCode.failure
            }
            let (manifest, violations) = CatalogLoader.loadPluginManifest(text, path: file.lastPathComponent)
            guard let manifest, violations.isEmpty else {
                Output.error("\(file.path) has problems:\n" + CatalogError(violations: violations).description)
                throw ExitCode.failure
            }
            return manifest
        }

        func artifactStore(_ manifest: PluginManifest, base: URL) throws -> any ArtifactStore {
            var reference = manifest.store
            if let store { reference = PluginManifest.Store(url: store, bearerTokenEnv: reference?.bearerTokenEnv, username: reference?.username, passwordEnv: reference?.passwordEnv, passwordFile: reference?.passwordFile) }
            guard let reference else {
                Output.error("plugins.yaml has no `store:` and no --store was given.")
                throw ExitCode.failure
            }
            return try Output.guarding { try ArtifactStores.make(reference, base: base, timeouts: timeouts) }
        }
    }

    struct Mirror: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch every artifact from its source, verify its sha256, upload it to the store if missing (idempotent).",
            discussion: "Exit status: 0 when every artifact is in the store, 1 otherwise.\n\nExample:\n  switchboard plugins mirror --catalog examples/catalog"
        )

        @OptionGroup var options: ManifestOptions

        func run() async throws {
            let (manifest, base) = try options.load()
            let store = try options.artifactStore(manifest, base: base)
            let report = try await Output.guarding {
                try await PluginMirror(store: store, base: base, timeouts: options.timeouts, progress: Output.step).mirror(manifest.artifacts)
            }
            print("Mirrored to \(store): \(report.uploaded.count) uploaded, \(report.present.count) already there.")
        }
    }

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install exactly a cluster's plugin set into a plugin.path folder (what an init container runs).",
            discussion: """
                Downloads the cluster's artifacts from the store, verifies every sha256, unpacks each into \
                DEST/<plugin>/, and only then moves them into place, so a failure leaves DEST exactly as \
                it was (and does not create it when it did not exist). Plugins that left the set are \
                removed; artifacts already installed with the same sha256 are skipped. Archive entries \
                that would leave their folder (absolute paths, .., links leading out or through other \
                links) are refused, as are corrupt sizes and archives that unpack beyond \
                --max-unpacked-size. A corrupt DEST/.switchboard-plugins.json is an error.

                Exit status: 0 installed (or nothing to do), 1 failed (DEST unchanged).

                Examples:
                  switchboard plugins install --catalog examples/catalog --cluster ingest --dest /opt/connect/plugins
                  switchboard plugins install --manifest /etc/switchboard/plugins.yaml --cluster ingest --dest /plugins
                """
        )

        @OptionGroup var options: ManifestOptions

        @Option(help: "The cluster whose set to install.")
        var cluster: String

        @Option(help: ArgumentHelp("The plugin.path folder to fill.", valueName: "dir"))
        var dest: String

        @Option(help: "Downloads in flight at once.")
        var parallelism = 4

        @Option(help: ArgumentHelp("The most one artifact may unpack to, in MiB (a cap against archive bombs).", valueName: "MiB"))
        var maxUnpackedSize = Int(PluginInstaller.defaultMaxUnpackedBytes >> 20)

        func validate() throws {
            guard parallelism >= 1 else { throw ValidationError("--parallelism must be at least 1.") }
            guard maxUnpackedSize >= 1 else { throw ValidationError("--max-unpacked-size must be at least 1 MiB.") }
        }

        func run() async throws {
            let (manifest, base) = try options.load()
            guard manifest.clusterSets[cluster] != nil else {
                Output.error("plugins.yaml has no set for cluster '\(cluster)' (known: \(manifest.clusterSets.keys.sorted().joined(separator: ", "))).")
                throw ExitCode.failure
            }
            let store = try options.artifactStore(manifest, base: base)
            let artifacts = manifest.artifacts(for: cluster)
            let destination = URL(fileURLWithPath: dest).standardizedFileURL
            Output.step("Installing \(artifacts.count) plugin(s) for cluster \(cluster) into \(destination.path)")
            let report = try await Output.guarding {
                try await PluginInstaller(store: store, parallelism: parallelism, maxUnpackedBytes: Int64(maxUnpackedSize) << 20, progress: Output.step).install(artifacts, into: destination)
            }
            print("Installed \(report.installed.count), unchanged \(report.unchanged.count), removed \(report.removed.count) in \(destination.path).")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask every worker of a cluster which plugins it runs; report missing, extra and wrong-version plugins per worker.",
            discussion: "Exit status: 0 every worker runs exactly the set, 1 otherwise.\n\nExample:\n  switchboard plugins verify --catalog examples/catalog --cluster ingest"
        )

        @OptionGroup var options: CatalogOptions

        @Option(help: "The cluster to verify.")
        var cluster: String

        func run() async throws {
            let catalog = try options.loadCatalog()
            guard let manifest = catalog.plugins else {
                Output.error("\(options.catalogURL.path) has no plugins.yaml.")
                throw ExitCode.failure
            }
            let connections = try options.connections(for: catalog)
            let client = try Output.guarding { try connections.client(cluster) }
            let reports = await PluginVerifier(manifest: manifest, cluster: cluster, client: client).verify()
            for report in reports {
                if let error = report.error {
                    print("\(report.worker): could not ask: \(error)")
                } else if report.isConsistent {
                    print("\(report.worker): ok (\(manifest.classes(for: cluster).count) plugin classes)")
                } else {
                    print("\(report.worker):")
                    for name in report.missing { print("  missing        \(name)") }
                    for name in report.extra { print("  extra          \(name)") }
                    for wrong in report.wrongVersion { print("  wrong version  \(wrong.className): runs \(wrong.actual), the set has \(wrong.expected)") }
                }
            }
            if !reports.allSatisfy(\.isConsistent) { throw ExitCode.failure }
        }
    }
}
