import AsyncHTTPClient
import ConnectClient
import Foundation
import LocalStack
import NIOCore
import ServerTesting
import StackTesting
import SwitchboardAPI
import SwitchboardControllers
import SwitchboardStorage
import SwitchboardWeb
import Synchronization
import TestSupport
import Testing

/// What a rolling deploy does to replicas on PostgreSQL that follow one repository: SIGTERM in the
/// middle of a sync's wait (exit 0 within the timeout, the outcome recorded as interrupted, the
/// lease handed over at once, readiness failing from the first moment), kill -9 in the middle of
/// a sync (the next holder closes it), and auto-restart counts that survive a restart of every
/// replica.
@Suite("Rolling deploys", .tags(.realStack))
struct RollingDeployTests {
    /// One `serve` replica's arguments (its own folder and port).
    struct Replica {
        let folder: URL
        let port: Int
        let arguments: [String]
        static let environment = ["SWITCHBOARD_SESSION_SECRET": "rolling-test-secret", "SWITCHBOARD_TIMEOUT": "30"]

        init(_ name: String, in data: URL, repository: String, database: String, users: URL) {
            folder = data.appendingPathComponent(name)
            port = PortProbe.ephemeral()
            arguments = ["serve", "--git-repository", repository, "--sync-interval", "5", "--gitops-state", folder.appendingPathComponent("gitops").path,
                         "--database", database, "--users-file", users.path, "--port", String(port)]
        }

        /// Started detached (for kill -9 and for replicas the test does not signal itself).
        func daemon() async throws -> Daemon {
            let daemon = Daemon(name: folder.lastPathComponent, directory: folder, file: "serve")
            try await daemon.start("/usr/bin/env", Self.environment.map { "\($0.key)=\($0.value)" } + [CLI.executable.path] + arguments)
            return daemon
        }

        var log: URL { folder.appendingPathComponent("serve.log") }
        func logText() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }  // not there yet: nothing logged yet
        var holdsLease: Bool { logText().contains("This replica runs the controllers") }
    }

    @Test func aStopMidSyncRecordsItsOutcomeHandsTheLeaseOverAndAKilledSyncIsClosedByTheNextHolder() async throws {
        // The cluster `gitops` to itself: its timings assume nobody else rebalances it meanwhile.
        try await TestStack.shared.exclusively("gitops") { try await self.aStopMidSyncRecordsItsOutcomeHandsTheLeaseOverAndAKilledSyncIsClosedByTheNextHolderAlone() }
    }

    func aStopMidSyncRecordsItsOutcomeHandsTheLeaseOverAndAKilledSyncIsClosedByTheNextHolderAlone() async throws {
        let stack = try await TestStack.shared.up()
        let cluster = TestStack.shared.client("gitops")
        let location = try await StorageTests.postgresLocation()
        let database = "postgres://postgres@127.0.0.1:\(location.port)/\(location.database)?sslmode=disable"
        let live = try LiveCatalog(extraClusters: "  - name: gitops\n    url: \(stack.configuration.workerURLs(of: "gitops")[0])\n",
                                   policy: "autoRestart:\n  enabled: true\n  maxRestarts: 2\n  unit: 1s\n  healthyAfter: 5s\n")
        // A sink that writes into a folder that does not exist: its task fails for real, and the
        // apply waits for it (the failure must last 30 s to count): a sync that is surely under way.
        func broken(_ name: String) throws {
            try live.connector(name, cluster: "gitops", className: "org.apache.kafka.connect.file.FileStreamSinkConnector",
                               config: ["topics": "\(live.team)-\(name)", "file": live.data.appendingPathComponent("missing/\(name).out").path])
        }
        // The replicas follow only cluster gitops (a worker of its own): four servers polling the
        // shared alpha and beta as well would slow what the other suites do there.
        let platform = try String(contentsOf: live.folder.root.appendingPathComponent("switchboard.yaml"), encoding: .utf8)
        let policy = try #require(platform.range(of: "policy:"), "the live catalog's switchboard.yaml has a policy")
        try live.folder.write("switchboard.yaml", "clusters:\n  - name: gitops\n    url: \(stack.configuration.workerURLs(of: "gitops")[0])\n" + platform[policy.lowerBound...])
        try live.fileSink("first", topic: "\(live.team)-first", cluster: "gitops")
        let remote = try await GitRemote(work: live.folder.root)
        _ = try await remote.commitAndPush("A first sink")
        let users = live.data.appendingPathComponent("users.yaml")
        try "users:\n  - name: alice\n    passwordHash: \"\(LocalUsers.hash("pw", cost: 4))\"\n".write(to: users, atomically: true, encoding: .utf8)
        let audit = try await PostgresStorage(location, competing: false, logger: .init(label: "rolling-test"))
        let names = ["first", "good1", "good2", "broken", "broken2"].map { "\(live.team)_\($0)" }
        defer { Task { for name in names { try? await cluster.delete(name) } } }
        @Sendable func entries() async throws -> [AuditEntry] { try await audit.auditEntries(limit: 2000, cluster: "gitops", connector: nil) }
        @Sendable func started(_ connector: String) async throws -> Bool {
            try await entries().contains { $0.action == "gitops-sync-start" && $0.detail?.contains(connector) == true }
        }
        let brokenName = "\(live.team)_broken", broken2Name = "\(live.team)_broken2"

        // Replica a runs first (it holds the lease), b beside it.
        let a = Replica("replica-a", in: live.data, repository: remote.bare.path, database: database, users: users)
        let b = Replica("replica-b", in: live.data, repository: remote.bare.path, database: database, users: users)
        var daemons: [Daemon] = []
        defer { for daemon in daemons { _ = daemon.stop(grace: 5) } }
        try FileManager.default.createDirectory(at: a.folder, withIntermediateDirectories: true)
        let readyDuringStop = Mutex<[Int]>([])
        let pushed = Mutex(false)
        async let stopped = Program.runAndSignal(CLI.executable.path, a.arguments, environment: Replica.environment, log: a.log, within: .seconds(240), ready: {
            // Ready to stop once the sync of the second commit has written everything and waits
            // for the broken sink (it fails, and the apply waits out the failure grace).
            guard pushed.withLock({ $0 }), try await started(brokenName) else { return false }
            let connectors = try await cluster.connectors()
            return ["good1", "good2", "broken"].allSatisfy { connectors["\(live.team)_\($0)"] != nil }
        }, afterSignal: {
            // Readiness fails from the first moment of the stop.
            for _ in 0..<100 {
                // `try?`: once the server is gone nothing answers, which is no readiness either.
                if let code = try? await Self.status(port: a.port, "/readyz") { readyDuringStop.withLock { $0.append(code) } }
                try await Task.sleep(for: .milliseconds(20))
            }
        })
        try await eventually(timeout: .seconds(120), "replica a to hold the lease") { a.holdsLease ? true : nil }
        daemons.append(try await b.daemon())
        try await eventually(timeout: .seconds(120), "replica b to answer") { PortProbe.accepts(b.port) ? true : nil }
        #expect(try await Self.status(port: a.port, "/readyz") == 200)

        // The second commit: two good sinks and a broken one. a stops while it waits for them.
        try live.fileSink("good1", topic: "\(live.team)-good1", cluster: "gitops")
        try live.fileSink("good2", topic: "\(live.team)-good2", cluster: "gitops")
        try broken("broken")
        let second = try await remote.commitAndPush("Two sinks and a broken one")
        pushed.withLock { $0 = true }
        let stop = try await stopped
        let aEnded = ContinuousClock.now
        #expect(stop.status == 0, "serve exits 0 on SIGTERM; its log: \(a.logText().suffix(2000))")
        #expect(stop.stoppedAfter < .seconds(10), "within the default --shutdown-timeout: \(stop.stoppedAfter)")
        #expect(a.logText().contains("Stopped.") && !a.logText().contains("CancellationError"))
        let readiness = readyDuringStop.withLock { $0 }
        // The first polls may come before the process has taken the signal (it is sent a moment
        // before), and a quick stop may leave nothing to ask: once not ready, never ready again
        // (RouterTests.readinessFailsOnceTheServerStops checks the 503 itself).
        #expect(readiness.drop { $0 == 200 }.allSatisfy { $0 == 503 }, "readiness while stopping: \(readiness)")

        // Its outcome is recorded: the broken sink's wait was cut short, the sync says interrupted.
        let afterStop = try await entries()
        let syncRow = afterStop.first { $0.action == "gitops-sync" && $0.detail?.contains(String(second.prefix(10))) == true }
        #expect(syncRow?.detail?.contains("interrupted") == true, "\(afterStop.filter { $0.action.hasPrefix("gitops-sync") })")
        #expect(afterStop.contains { $0.action == "gitops-create" && $0.connector == brokenName && $0.detail?.contains("cut short") == true })
        #expect(try await audit.controllerState(prefix: "gitops-sync/").isEmpty, "the sync is closed")

        // b takes the lease at its next try, not when a dead connection is noticed.
        try await eventually(timeout: .seconds(30), "replica b to take the lease") { b.holdsLease ? true : nil }
        #expect(ContinuousClock.now - aEnded < .seconds(5), "b holds the lease \(ContinuousClock.now - aEnded) after a stopped")
        for name in ["good1", "good2"] {
            try await eventually(timeout: .seconds(120), "\(name) on the cluster") { try await cluster.connectors()["\(live.team)_\(name)"] != nil ? true : nil }
        }

        // kill -9 of b in the middle of the next sync: the next holder (a again) closes it.
        try broken("broken2")
        let third = try await remote.commitAndPush("Another broken sink")
        try await eventually(timeout: .seconds(120), "b's sync of \(third.prefix(10)) under way") { () -> Bool? in
            guard try await started(broken2Name) else { return nil }
            return try await cluster.connectors()[broken2Name] != nil ? true : nil
        }
        daemons[0].kill9()
        #expect(try await audit.controllerState(prefix: "gitops-sync/").keys.sorted() == ["gitops-sync/gitops"], "a killed replica leaves its sync open")
        daemons.append(try await a.daemon())
        try await eventually(timeout: .seconds(120), "the new holder to close the sync left open") { () -> AuditEntry? in
            try await entries().first { $0.action == "gitops-sync" && $0.detail?.contains("ended without an outcome") == true }
        }
        let closed: [AuditEntry] = try await entries().filter { $0.connector == broken2Name }
        let found = closed.contains { entry in
            entry.action == "gitops-create" && entry.outcome == .succeeded && (entry.detail ?? "").contains("found applied")
        }
        #expect(found, "\(closed)")
        #expect(try await audit.controllerState(prefix: "gitops-sync/").isEmpty)

        // Auto-restart gives up on the broken sinks; a restart of every replica forgets nothing.
        try await eventually(timeout: .seconds(120), "auto-restart to give up on \(brokenName)") { () -> Bool? in
            try await entries().contains { $0.action == "auto-restart-gave-up" && $0.connector == brokenName } ? true : nil
        }
        let restartsBefore = try await entries().filter { $0.user == AutoRestarter.user && $0.connector == brokenName && $0.action.hasPrefix("restart") }.count
        #expect(restartsBefore == 2)
        for daemon in daemons { _ = daemon.stop(grace: 15) }
        daemons = []
        let c = Replica("replica-c", in: live.data, repository: remote.bare.path, database: database, users: users)
        let d = Replica("replica-d", in: live.data, repository: remote.bare.path, database: database, users: users)
        daemons = [try await c.daemon(), try await d.daemon()]
        for replica in [c, d] {
            try await eventually(timeout: .seconds(120), "replica on \(replica.port) to answer") { PortProbe.accepts(replica.port) ? true : nil }
        }
        try await eventually(timeout: .seconds(60), "a new holder") { c.holdsLease || d.holdsLease ? true : nil }
        let cookie = try await ReplicasTests.signIn(port: c.port)
        for replica in [c, d] {
            try await eventually(timeout: .seconds(60), "replica \(replica.port) to show the stored count") { () -> Bool? in
                let (code, body) = try await ReplicasTests.get(port: replica.port, "/api/v1/clusters/gitops/connectors/\(brokenName)", cookie: cookie)
                return code == 200 && body.contains(#""gaveUp":true"#) && body.contains(#""restarts":2"#) ? true : nil
            }
        }
        try await Task.sleep(for: .seconds(10))  // several looks of the new holder
        let restartsAfter = try await entries().filter { $0.user == AutoRestarter.user && $0.connector == brokenName && $0.action.hasPrefix("restart") }.count
        #expect(restartsAfter == restartsBefore, "a connector given up on is not restarted again after a restart of every replica")
    }

    static func status(port: Int, _ path: String) async throws -> Int {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(2))
        return Int(response.status.code)
    }
}

/// How the built binary ends on a signal: `serve` stops cleanly with exit 0, every other command
/// exits 130 on Ctrl-C with one line.
@Suite struct StopSignalTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func anIdleServerStopsWithExitZero(_ signal: Int32) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("serve.log"), port = PortProbe.ephemeral()
        let stop = try await Program.runAndSignal(CLI.executable.path, ["serve", "--catalog", "examples/catalog", "--insecure-dev", "--port", String(port),
                                                                        "--audit-db", folder.appendingPathComponent("audit.sqlite").path],
                                                  log: log, signal: signal, within: .seconds(60), ready: { PortProbe.accepts(port) })
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(stop.status == 0, "\(text.suffix(2000))")
        #expect(stop.stoppedAfter < .seconds(10), "\(stop.stoppedAfter)")
        #expect(text.contains("Stopped.") && !text.contains("Error"), "\(text.suffix(2000))")
    }

    @Test func ctrlCEndsAnyOtherCommandWith130AndOneLine() async throws {
        // A cluster that accepts and never answers: plan waits on it.
        let silent = try await FaultServer.start(.silent)
        defer { Task { await silent.stop() } }
        let catalog = try CatalogFolder(["switchboard.yaml": "clusters:\n  - name: ingest\n    url: \(silent.url)\n", "teams/payments/team.yaml": "members: [alice]\n"])
        let log = catalog.root.appendingPathComponent("plan.log")
        let started = ContinuousClock.now
        let stop = try await Program.runAndSignal(CLI.executable.path, ["plan", "--catalog", catalog.root.path, "--timeout", "60"], log: log, signal: SIGINT, within: .seconds(30),
                                                  // Time for the process to start and its request to hang (the
                                                  // handler is set before any command runs).
                                                  ready: { ContinuousClock.now - started > .seconds(5) })
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(stop.status == 130)
        #expect(lines.filter { $0.contains("interrupted") }.count == 1 && lines.last?.contains("switchboard plan: interrupted (Ctrl-C)") == true, "\(lines)")
    }
}
