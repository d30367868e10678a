import ConnectClient
import Foundation
import HummingbirdTesting
import Reconciler
import ServerTesting
@testable import SwitchboardAPI
@testable import SwitchboardControllers
@testable import SwitchboardDataFlow
import SwitchboardServer
@testable import SwitchboardSnapshot
@testable import SwitchboardStorage
@testable import SwitchboardWeb
import Synchronization
import SwitchboardCore
import TestSupport
import Testing

/// The auto-restart controller's decisions on a clock of its own, and its cost in Connect calls.
@Suite struct AutoRestartTests {
    /// A snapshot of one connector per (name, state, tasks), all with `policy`.
    func snapshot(_ connectors: [(String, String, [String])], policy: AutoRestartPolicy) throws -> Snapshot {
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(connectors.map { ServerFixture.connector($0.0, state: $0.1, tasks: $0.2) }))
        var snapshot = fixture.dependencies.store.current
        for key in snapshot.connectors.keys { snapshot.connectors[key]?.autoRestart = policy }
        return snapshot
    }

    static let policy = AutoRestartPolicy(enabled: true, maxRestarts: 3, unitSeconds: 10, healthyAfterSeconds: 100)
    static let t0 = Date(timeIntervalSince1970: 1_000_000)

    @Test func restartsAtOnceThenOnTheGrowingScheduleThenGivesUp() throws {
        let book = RestartBook()
        let failed = try snapshot([("payments_a", "RUNNING", ["FAILED"])], policy: Self.policy)
        let key = "ingest/payments_a"
        // seconds after t0 -> what is decided (the schedule: at once, +20 s, +60 s, then give up at +120 s)
        let expected: [(Double, String)] = [(0, "restart 1"), (5, ""), (19, ""), (20, "restart 2"), (79, ""), (80, "restart 3"), (199, ""), (200, "gave up after 3"), (500, "")]
        for (offset, want) in expected {
            let decisions = book.decide(failed, now: Self.t0.addingTimeInterval(offset))
            let got = decisions.restart.map { "restart \($0.number)" } + decisions.gaveUp.map { "gave up after \($0.restarts)" }
            #expect(got == (want.isEmpty ? [] : [want]), "at +\(offset) s")
        }
        let status = try #require(book.statuses[key])
        #expect(status.gaveUp && status.restarts == 3 && status.nextRestartAt == nil)
    }

    @Test func aConnectorHealthyForAWhileStartsCountingAfresh() throws {
        let book = RestartBook()
        let failed = try snapshot([("payments_a", "RUNNING", ["FAILED"])], policy: Self.policy)
        let healthy = try snapshot([("payments_a", "RUNNING", ["RUNNING"])], policy: Self.policy)
        #expect(book.decide(failed, now: Self.t0).restart.count == 1)
        #expect(book.decide(healthy, now: Self.t0.addingTimeInterval(10)).recovered.isEmpty)
        #expect(book.statuses["ingest/payments_a"]?.restarts == 1, "healthy for 0 s: the count stays")
        // Failing again before healthyAfter: the schedule goes on (restart 2 is due 20 s after restart 1).
        #expect(book.decide(failed, now: Self.t0.addingTimeInterval(15)).restart.isEmpty)
        #expect(book.decide(failed, now: Self.t0.addingTimeInterval(20)).restart.map(\.number) == [2])
        // Healthy for healthyAfter (100 s): forgotten, and the next failure is restarted at once as number 1.
        _ = book.decide(healthy, now: Self.t0.addingTimeInterval(30))
        #expect(book.decide(healthy, now: Self.t0.addingTimeInterval(130)).recovered == ["ingest/payments_a"])
        #expect(book.statuses.isEmpty)
        #expect(book.decide(failed, now: Self.t0.addingTimeInterval(131)).restart.map(\.number) == [1])
    }

    @Test func pausedStoppedDisabledAndVanishedConnectorsAreLeftAlone() throws {
        let book = RestartBook()
        var off = Self.policy
        off.enabled = false
        #expect(book.decide(try snapshot([("payments_a", "RUNNING", ["FAILED"])], policy: off), now: Self.t0) == RestartBook.Decisions())
        // Tasks unassigned (a rebalance) count as failed on the overview, but nothing FAILED: no restart.
        let quiet = try snapshot([("payments_p", "PAUSED", ["PAUSED"]), ("payments_s", "STOPPED", []), ("payments_u", "UNKNOWN", []),
                                  ("payments_r", "RUNNING", ["UNASSIGNED"])], policy: Self.policy)
        #expect(book.decide(quiet, now: Self.t0) == RestartBook.Decisions())
        // A degraded connector (one task of two failed) is restarted too; once gone, it is forgotten.
        let degraded = try snapshot([("payments_d", "RUNNING", ["RUNNING", "FAILED"])], policy: Self.policy)
        #expect(book.decide(degraded, now: Self.t0).restart.map(\.key) == ["ingest/payments_d"])
        _ = book.decide(quiet, now: Self.t0.addingTimeInterval(1))
        #expect(book.statuses.isEmpty)
    }

    @Test func theControllerAddsNoReadsOnlyRestartsAndTheyAreAuditedAndShown() async throws {
        // 2,000 connectors on one fake cluster, every tenth failed.
        let names = (0..<2000).map { String(format: "payments_c%04d", $0) }
        let listing = ServerFixture.snapshot(names.enumerated().map { ServerFixture.connector($0.element, tasks: [$0.offset % 10 == 0 ? "FAILED" : "RUNNING"]) })
        let calls = Mutex<[String]>([])
        let connect = try await FaultServer.start(.scripted { request in
            calls.withLock { $0.append("\(request.method) \(request.uri.prefix { $0 != "?" })") }
            return request.method == "GET" ? .init(body: listing) : .init(status: 204, body: "")
        })
        defer { Task { await connect.stop() } }
        let folder = try CatalogFolder([
            "switchboard.yaml": "clusters:\n  - name: ingest\n    url: \(connect.url)\nautoRestart:\n  enabled: true\n  maxRestarts: 2\n  unit: 1s\n",
            "teams/payments/team.yaml": "members: [alice]\n",
        ])
        let catalog = try CatalogLoader.loadChecked(from: folder.root)
        let dependencies = ServerDependencies.assemble(store: SnapshotStore(catalog: catalog, connections: try ClusterConnections(catalog: catalog)),
                                                       audit: try AuditLog(path: ":memory:"), auth: AuthSettings(localUsers: ServerFixture.users))
        let controller = AutoRestarter(store: dependencies.store, audit: dependencies.audit, interval: .seconds(1), logger: dependencies.logger)
        for round in 0..<3 {
            await dependencies.store.refresh()
            let snapshot = dependencies.store.current
            let now = Self.t0.addingTimeInterval(Double(round) * 100)
            await controller.act(on: controller.book.decide(snapshot, now: now), snapshot: snapshot, decidedAt: now)
        }
        let all: [String] = calls.withLock { $0 }
        let reads: [String] = all.filter { $0.hasPrefix("GET") }
        let restarts: Int = all.filter { $0.hasPrefix("POST") }.count
        #expect(reads == Array(repeating: "GET /connectors", count: 3), "one bulk read per poll, none of the controller's own")
        #expect(restarts == 400, "200 failed connectors, restarted twice each")
        let audit: [AuditEntry] = try await dependencies.audit.recent(limit: 1000)
        let audited: Int = audit.filter { $0.user == AutoRestarter.user && $0.outcome == .succeeded }.count
        let gaveUp: Int = audit.filter { $0.action == "auto-restart-gave-up" }.count
        #expect(audited == 400)
        #expect(gaveUp == 200)
        let shown = try #require(dependencies.store.current.connectors["ingest/payments_c0000"]?.restartStatus)
        #expect(shown.gaveUp && shown.restarts == 2 && shown.maxRestarts == 2)
        let metrics = String(decoding: dependencies.metrics.emit(), as: UTF8.self)
        #expect(metrics.contains(#"switchboard_connector_auto_restart_gave_up{cluster="ingest",connector="payments_c0000",team="payments",type="sink"} 1"#))
        #expect(metrics.contains(#"switchboard_connector_auto_restart_gave_up{cluster="ingest",connector="payments_c0001",team="payments",type="sink"} 0"#))
    }
}

/// The controller's memory lives in the server's storage: a restart of the server (or a takeover
/// by another replica) continues the schedule, a give-up holds, and a restart by hand clears it.
@Suite struct AutoRestartMemoryTests {
    /// A fake cluster with one failed sink; the restarts it was sent.
    final class Count: Sendable {
        let value = Mutex(0)
        func withLock<T>(_ body: (inout Int) -> T) -> T { value.withLock { body(&$0) } }
    }

    func cluster() async throws -> (FaultServer, Count, Catalog) {
        let listing = ServerFixture.snapshot([ServerFixture.connector("payments_a", tasks: ["FAILED"])])
        let restarts = Count()
        let connect = try await FaultServer.start(.scripted { request in
            if request.method == "POST" { restarts.withLock { $0 += 1 } }
            return request.method == "GET" ? .init(body: listing) : .init(status: 204, body: "")
        })
        let folder = try CatalogFolder([
            "switchboard.yaml": "clusters:\n  - name: ingest\n    url: \(connect.url)\nautoRestart:\n  enabled: true\n  maxRestarts: 2\n  unit: 10s\n",
            "teams/payments/team.yaml": "members: [alice]\n",
        ])
        return (connect, restarts, try CatalogLoader.loadChecked(from: folder.root))
    }

    /// A controller as a freshly started server would have it: an empty book over `audit`.
    func controller(_ catalog: Catalog, audit: AuditLog) async throws -> AutoRestarter {
        let store = SnapshotStore(catalog: catalog, connections: try ClusterConnections(catalog: catalog))
        await store.refresh()
        return AutoRestarter(store: store, audit: audit, interval: .seconds(1), logger: .init(label: "test"))
    }

    /// A cluster in maintenance is left alone; once it ends, the failed connector is restarted.
    @Test func aClusterInMaintenanceIsLeftAlone() async throws {
        let (connect, restarts, catalog) = try await cluster()
        defer { Task { await connect.stop() } }
        let audit = try AuditLog(path: ":memory:")
        let book = MaintenanceBook(storage: audit.storage)
        try await book.open(MaintenanceWindow(cluster: "ingest", user: "pat", startedAt: AutoRestartTests.t0, paused: []))
        let store = SnapshotStore(catalog: catalog, connections: try ClusterConnections(catalog: catalog))
        await store.refresh()
        let controller = AutoRestarter(store: store, audit: audit, interval: .seconds(1), maintenance: book, logger: .init(label: "test"))
        await controller.look(at: store.current, now: AutoRestartTests.t0)
        #expect(restarts.withLock { $0 } == 0, "in maintenance: no restart")
        try await book.close("ingest")
        await controller.look(at: store.current, now: AutoRestartTests.t0.addingTimeInterval(60))
        #expect(restarts.withLock { $0 } == 1, "after it: restarted")
        // Another replica's book reads the same storage.
        try await book.open(MaintenanceWindow(cluster: "ingest", user: "pat", startedAt: AutoRestartTests.t0, paused: ["payments_a"]))
        let other = MaintenanceBook(storage: audit.storage)
        try await other.refresh()
        #expect(other.current["ingest"]?.paused == ["payments_a"])
    }

    @Test func aRestartedServerContinuesTheScheduleAndAGiveUpHolds() async throws {
        let (connect, restarts, catalog) = try await cluster()
        defer { Task { await connect.stop() } }
        let audit = try AuditLog(path: ":memory:")
        let t0 = AutoRestartTests.t0
        let first = try await controller(catalog, audit: audit)
        await first.look(at: first.store.current, now: t0)
        #expect(restarts.withLock { $0 } == 1)
        // The server restarts (or another replica takes over): a new controller, the same storage.
        let second = try await controller(catalog, audit: audit)
        #expect(second.store.current.connectors["ingest/payments_a"]?.restartStatus == nil, "nothing shown before the first look")
        await second.look(at: second.store.current, now: t0.addingTimeInterval(5))
        #expect(restarts.withLock { $0 } == 1, "not due yet: restart 1 was 5 s ago, and the schedule waits 20 s")
        #expect(second.store.current.connectors["ingest/payments_a"]?.restartStatus?.restarts == 1, "the stored count is shown")
        await second.look(at: second.store.current, now: t0.addingTimeInterval(25))
        #expect(restarts.withLock { $0 } == 2, "restart 2 on the schedule, not a first restart again")
        await second.look(at: second.store.current, now: t0.addingTimeInterval(200))
        let third = try await controller(catalog, audit: audit)
        for offset in [300.0, 1000, 5000] { await third.look(at: third.store.current, now: t0.addingTimeInterval(offset)) }
        #expect(restarts.withLock { $0 } == 2, "given up, and still given up after another restart of the server")
        #expect(third.store.current.connectors["ingest/payments_a"]?.restartStatus?.gaveUp == true)
        let gaveUp = try await audit.recent(limit: 100).filter { $0.action == "auto-restart-gave-up" }
        #expect(gaveUp.count == 1, "the give-up is audited once")

        // Someone restarts it by hand: the count starts afresh.
        try await RestartMemory(storage: audit.storage).forget("ingest/payments_a")
        await third.look(at: third.store.current, now: t0.addingTimeInterval(6000))
        #expect(restarts.withLock { $0 } == 3)
        #expect(third.store.current.connectors["ingest/payments_a"]?.restartStatus?.restarts == 1)
    }

    /// ISO 8601 text keeps whole seconds: a schedule read back that way would come due early.
    @Test func aStoredScheduleComesBackExactly() async throws {
        let memory = RestartMemory(storage: try AuditLog(path: ":memory:").storage)
        var track = RestartBook.Track()
        track.restarts = 1
        track.lastRestart = Date(timeIntervalSince1970: 1_000_000.375)
        track.nextRestart = Date(timeIntervalSince1970: 1_000_002.375)
        try await memory.save(from: [:], to: ["ingest/a": track])
        #expect(try await memory.load() == ["ingest/a": track])
    }

    @Test func aStoredTrackThatCannotBeReadStopsTheControllerInsteadOfForgettingIt() async throws {
        let (connect, restarts, catalog) = try await cluster()
        defer { Task { await connect.stop() } }
        let audit = try AuditLog(path: ":memory:")
        try await audit.storage.saveControllerState(["auto-restart/ingest/payments_a": #"{"restarts": "many"}"#], deleting: [])
        let controller = try await controller(catalog, audit: audit)
        await controller.look(at: controller.store.current, now: AutoRestartTests.t0)
        #expect(restarts.withLock { $0 } == 0, "a track it cannot read could be a give-up: nothing is restarted")
        do {
            _ = try await RestartMemory(storage: audit.storage).load()
            Issue.record("an unreadable track was skipped")
        } catch {
            #expect("\(error)".contains("auto-restart/ingest/payments_a"), "\(error)")
        }
    }
}

@Suite struct ServiceDescriptionTests {
    @Test func servicesDescribeThemselvesByNameOnly() throws {
        let fixture = try ServerFixture(connectors: "{}")
        let services: [any CustomStringConvertible] = [
            AutoRestarter(store: fixture.dependencies.store, audit: fixture.dependencies.audit, interval: .seconds(1), logger: fixture.dependencies.logger),
            SnapshotPoller(store: fixture.dependencies.store), LagPoller(store: fixture.dependencies.store, flow: fixture.dependencies.flow),
        ]
        #expect(services.map(\.description) == ["AutoRestarter", "SnapshotPoller", "LagPoller"])
    }
}
