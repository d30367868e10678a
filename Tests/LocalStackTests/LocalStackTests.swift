import Foundation
@testable import LocalStack
import TestSupport
import Testing

@Suite struct PrerequisitesTests {
    @Test func readsJavaMajorVersions() {
        #expect(Prerequisites.javaMajorVersion(#"openjdk version "17.0.15" 2025-04-15"#) == 17)
        #expect(Prerequisites.javaMajorVersion(#"openjdk version "21" 2023-09-19"#) == 21)
        #expect(Prerequisites.javaMajorVersion(#"java version "1.8.0_392""#) == 8)
        #expect(Prerequisites.javaMajorVersion("bash: java: command not found") == nil)
    }
}

@Suite struct DistributionTests {
    /// A fake libs folder with the names the wheel ships.
    func makeLibs() throws -> (URL, URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dist-\(UUID().uuidString)")
        let libs = root.appendingPathComponent("libs")
        let jetty = root.appendingPathComponent("jetty")
        try FileManager.default.createDirectory(at: libs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: jetty, withIntermediateDirectories: true)
        for jar in [
            "connect-runtime-3.9.0.jar", "kafka-clients-3.9.0.jar", "jetty-client-9.4.56.v20240826.jar",
            "jetty-server-9.4.56.v20240826.jar", "jetty-servlet-9.4.12.v20180830.jar", "jetty-servlets-9.4.56.v20240826.jar",
            "debezium-core-3.0.7.Final.jar", "debezium-connector-postgres-3.0.7.Final.jar", "debezium-api-3.0.7.Final.jar",
            "postgresql-42.6.1.jar", "protobuf-java-3.25.5.jar", "mysql-connector-j-9.1.0.jar", "logback-classic-1.jar",
        ] {
            _ = FileManager.default.createFile(atPath: libs.appendingPathComponent(jar).path, contents: Data())
        }
        for part in ["server", "http", "io", "util", "servlet", "servlets", "security"] {
            _ = FileManager.default.createFile(atPath: jetty.appendingPathComponent("jetty9-\(part)-9.4.57.v20241219.jar").path, contents: Data())
        }
        let broker = root.appendingPathComponent("tansu")
        _ = FileManager.default.createFile(atPath: broker.path, contents: Data(), attributes: [.posixPermissions: 0o755])
        return (root, jetty)
    }

    @Test func classpathLeavesOutPluginJarsLogbackAndTheWheelsJetty() throws {
        let (root, jetty) = try makeLibs()
        let libs = root.appendingPathComponent("libs")
        let distribution = try Distribution(java: URL(fileURLWithPath: "/usr/bin/java"), broker: root.appendingPathComponent("tansu"), libs: libs, postgresBin: nil,
                                            connect: [.v3_9: try .withDebianJetty(libs: libs, jettyDirectory: jetty)])
        let entries = try distribution.classpath().split(separator: ":").map { URL(fileURLWithPath: String($0)).lastPathComponent }
        #expect(entries.contains("connect-runtime-3.9.0.jar"))
        #expect(entries.contains("jetty-client-9.4.56.v20240826.jar"))
        #expect(entries.contains("jetty9-server-9.4.57.v20241219.jar"))
        for excluded in ["jetty-server-9.4.56.v20240826.jar", "jetty-servlet-9.4.12.v20180830.jar", "jetty-servlets-9.4.56.v20240826.jar", "debezium-core-3.0.7.Final.jar", "postgresql-42.6.1.jar", "protobuf-java-3.25.5.jar", "mysql-connector-j-9.1.0.jar", "logback-classic-1.jar"] {
            #expect(!entries.contains(excluded), "\(excluded) must not be on the classpath")
        }
        let plugin = try distribution.jars(ofPlugin: "debezium-postgres").map(\.lastPathComponent)
        #expect(Set(plugin) == ["debezium-api-3.0.7.Final.jar", "debezium-core-3.0.7.Final.jar", "debezium-connector-postgres-3.0.7.Final.jar", "postgresql-42.6.1.jar", "protobuf-java-3.25.5.jar"])
    }

    @Test func missingJettyIsOneClearError() throws {
        let (root, _) = try makeLibs()
        #expect(throws: StackError.self) {
            try Distribution.ConnectJars.withDebianJetty(libs: root.appendingPathComponent("libs"), jettyDirectory: root)
        }
    }

    /// Connect 4.3's wheel: Jetty 12 stays; only Jetty 9.4's security and servlet jars go, and
    /// Jetty 12's security jar comes in.
    @Test func connect43KeepsJetty12AndTakesTheSecurityJar() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dist43-\(UUID().uuidString)")
        let libs = root.appendingPathComponent("libs")
        try FileManager.default.createDirectory(at: libs, withIntermediateDirectories: true)
        for jar in ["connect-runtime-4.3.0.jar", "jetty-server-12.0.34.jar", "jetty-ee10-servlet-12.0.34.jar", "jetty-security-9.4.12.v20180830.jar",
                    "jetty-servlet-9.4.12.v20180830.jar", "debezium-core-3.6.3.Final.jar", "logback-core-1.2.13.jar", "metrics-logback-3.1.5.jar"] {
            _ = FileManager.default.createFile(atPath: libs.appendingPathComponent(jar).path, contents: Data())
        }
        let broker = root.appendingPathComponent("tansu")
        _ = FileManager.default.createFile(atPath: broker.path, contents: Data(), attributes: [.posixPermissions: 0o755])
        let security = root.appendingPathComponent("jetty12-security-12.0.17.jar")
        let distribution = try Distribution(java: URL(fileURLWithPath: "/usr/bin/java"), broker: broker, libs: libs, postgresBin: nil,
                                            connect: [.v4_3: .init(version: .v4_3, libs: libs, replacements: [security])])
        let entries = try distribution.classpath(.v4_3).split(separator: ":").map { URL(fileURLWithPath: String($0)).lastPathComponent }
        #expect(entries.sorted() == ["connect-runtime-4.3.0.jar", "jetty-ee10-servlet-12.0.34.jar", "jetty-server-12.0.34.jar", "jetty12-security-12.0.17.jar"])
        #expect(throws: StackError.self) { try distribution.classpath(.v3_9) }
    }
}

@Suite struct DaemonTests {
    func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("daemon-\(UUID().uuidString)")
    }

    @Test func startsDetachedTracksThePidAndStopsIt() async throws {
        let sleeper = Daemon(name: "sleeper", directory: folder(), file: "sleeper")
        let pid = try await sleeper.start("/bin/sleep", ["300"])
        #expect(sleeper.runningPID == pid)
        #expect(sleeper.stop(grace: 5))
        #expect(sleeper.runningPID == nil)
        #expect(!Daemon.isAlive(pid))
        #expect(!sleeper.stop())
    }

    @Test func outputGoesToTheLogFile() async throws {
        let echo = Daemon(name: "echo", directory: folder(), file: "echo")
        let pid = try await echo.start("/bin/sh", ["-c", "echo hello from the daemon; echo and its error >&2"])
        try await eventually(timeout: .seconds(10), "the echo daemon to exit") { Daemon.isAlive(pid) ? nil : true }
        #expect(echo.logTail() == ["hello from the daemon", "and its error"])
    }

    @Test func aPidFileOfAProcessInAnotherFolderIsNotOurs() throws {
        let directory = folder()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Our own test process is alive, but it does not run in that folder.
        try String(getpid()).write(to: directory.appendingPathComponent("stale.pid"), atomically: true, encoding: .utf8)
        let stale = Daemon(name: "stale", directory: directory, file: "stale")
        #expect(stale.runningPID == nil)
        #expect(!stale.stop())
        #expect(Daemon.isAlive(getpid()))
    }
}

@Suite struct WorkerHomeTests {
    @Test func clustersOnOneBrokerGetTheirOwnGroupAndTopics() {
        let home = WorkerHome(cluster: "ingest", number: 2, port: 18084, directory: URL(fileURLWithPath: "/tmp/w"), pluginPath: URL(fileURLWithPath: "/tmp/p"), bootstrapServers: "127.0.0.1:19092")
        let properties = home.properties()
        #expect(properties.contains("group.id=switchboard-ingest\n"))
        #expect(properties.contains("config.storage.topic=switchboard-ingest-configs\n"))
        #expect(properties.contains("listeners=http://127.0.0.1:18084\n"))
        #expect(properties.contains("plugin.discovery=service_load\n"))
        #expect(properties.contains("plugin.path=/tmp/p\n"))
    }

    @Test func portsDoNotOverlapAcrossClusters() {
        let configuration = StackConfiguration(home: URL(fileURLWithPath: "/tmp/h"), clusters: [.init(name: "a", workers: 3), .init(name: "b", workers: 3)])
        let ports = configuration.workerURLs(of: "a").map(\.port) + configuration.workerURLs(of: "b").map(\.port)
        #expect(Set(ports).count == 6)
        #expect(configuration.workerURLs(of: "a").first?.port == 18083)
    }
}

@Suite struct PortProbeTests {
    /// The port comes from our own listening socket (the kernel picks it, we hold it), so nothing
    /// else on a busy machine can be on it while it is checked: probing a port that was free a
    /// moment ago raced with the test run's own outgoing connections (CI, stop 30).
    @Test func aListeningPortIsTaken() throws {
        let listener = try Listener()
        defer { close(listener.fd) }
        #expect(!PortProbe.isFree(listener.port))
        #expect(PortProbe.accepts(listener.port))
    }

    /// Once closed, the same port is free and refuses connections. Another process may take a just
    /// closed port in the instant between, so three fresh ports are tried; a probe that never
    /// reports a free port still fails.
    @Test func aClosedPortIsFree() throws {
        var freed: [Int] = []
        for _ in 0..<3 {
            let listener = try Listener()
            close(listener.fd)
            if PortProbe.isFree(listener.port) && !PortProbe.accepts(listener.port) {
                freed.append(listener.port)
                break
            }
        }
        #expect(freed.count == 1)
    }

    private struct Listener {
        let fd: Int32
        let port: Int

        init() throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let fd = fd
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            try #require(bound == 0 && listen(fd, 1) == 0)
            var local = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            port = Int(UInt16(bigEndian: local.sin_port))
        }
    }
}
