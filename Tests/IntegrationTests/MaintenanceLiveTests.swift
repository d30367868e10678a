import ConnectClient
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import ServerTesting
import StackTesting
import SwitchboardAPI
import SwitchboardControllers
import SwitchboardStorage
import SwitchboardWeb
import TestSupport
import Testing

/// Maintenance of a whole cluster against the real workers: its running connectors are paused,
/// and exactly those resumed at the end (one paused before stays paused); the auto-restart
/// controller stays quiet meanwhile; every page says so; admins only.
@Suite("Cluster maintenance", .tags(.realStack))
struct MaintenanceLiveTests {
    @Test func pauseAndResumeRestoreThePreviousStatesWithAutoRestartQuiet() async throws {
        // The cluster `gitops` to itself: maintenance pauses every running connector on it.
        try await TestStack.shared.exclusively("gitops") { try await self.maintenance() }
    }

    func maintenance() async throws {
        try await TestStack.shared.up()
        let stack = TestStack.shared.stack.configuration
        let cluster = TestStack.shared.client("gitops")
        let live = try LiveCatalog(extraClusters: "  - name: gitops\n    url: \(stack.workerURLs(of: "gitops")[0])\n",
                                   policy: "admins:\n  users: [pat]\nautoRestart:\n  enabled: true\n")
        try live.fileSink("one", topic: "\(live.team)-one", cluster: "gitops")
        try live.fileSink("two", topic: "\(live.team)-two", cluster: "gitops")
        try live.fileSink("held", topic: "\(live.team)-held", cluster: "gitops", state: "paused")
        try live.connector("broken", cluster: "gitops", className: "org.apache.kafka.connect.file.FileStreamSinkConnector", config: ["topics": "\(live.team)-b", "file": live.data.appendingPathComponent("no-such-folder/b.txt").path])
        _ = try await live.run("apply", "--auto-approve", "--wait-timeout", "30")
        let (one, two, held, broken) = ("\(live.team)_one", "\(live.team)_two", "\(live.team)_held", "\(live.team)_broken")
        let users = LocalUsers(entries: ["alice", "pat"].map { .init(name: $0, passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil) })
        let dependencies = try await ServerDependencies.live(live.folder.root, users: users)
        try await eventually(timeout: .seconds(90), "one and two running, held paused, broken failed") { () -> Bool? in
            await dependencies.store.refresh()
            let views = dependencies.store.current.connectors
            return views["gitops/\(one)"]?.state == "RUNNING" && views["gitops/\(two)"]?.state == "RUNNING" && views["gitops/\(held)"]?.state == "PAUSED"
                && views["gitops/\(broken)"]?.health == "FAILED" ? true : nil
        }
        // Other suites' connectors may run on gitops too (the lock keeps their tests away, not
        // what they left): the window must name ours, and resume only what it paused.
        try await Application(router: buildRouter(dependencies)).test(.router) { client in
            let alice = try await client.signIn("alice"), pat = try await client.signIn("pat")
            let (refused, text) = try await client.send(.post, "/api/v1/clusters/gitops/maintenance", cookie: alice)
            #expect(refused == .forbidden && text.contains("needs a platform admin"), "\(text)")
            #expect(try await client.send(.post, "/api/v1/clusters/mars/maintenance", cookie: pat).0 == .notFound)

            let (started, body) = try await client.send(.post, "/api/v1/clusters/gitops/maintenance", cookie: pat)
            let answer = try JSONDecoder.iso8601.decode(MaintenanceAnswer.self, from: Data(body.utf8))
            // Connect's RUNNING, a failed task or not: the broken sink is paused too, and resumed after.
            #expect(started == .ok && Set([one, two, broken]).isSubset(of: answer.window.paused) && !answer.window.paused.contains(held), "\(body)")
            try await eventually(timeout: .seconds(60), "one and two paused") { () -> Bool? in
                let running = try await cluster.connectors()
                return running[one]?.status?.connector.state == .paused && running[two]?.status?.connector.state == .paused ? true : nil
            }
            #expect(try await client.send(.post, "/api/v1/clusters/gitops/maintenance", cookie: pat).0 == .conflict, "already in maintenance")
            let (_, overview) = try await client.page("/", cookie: alice)
            #expect(overview.contains("Cluster <strong>gitops</strong> is in maintenance"), "every page says so")

            // The auto-restart controller leaves the cluster alone meanwhile (AutoRestartMemoryTests
            // shows a failed connector of a cluster in maintenance is not restarted).
            await dependencies.store.refresh()
            let restarter = AutoRestarter(store: dependencies.store, audit: dependencies.audit, interval: .seconds(1), maintenance: dependencies.maintenance, logger: Logger(label: "maintenance-test"))
            let running = Task { try await restarter.run() }
            try await Task.sleep(for: .seconds(6))
            running.cancel()
            #expect(try await dependencies.audit.recent(limit: 200).filter { $0.user == AutoRestarter.user && $0.connector == broken }.isEmpty, "quiet during maintenance")

            let (ended, endBody) = try await client.send(.delete, "/api/v1/clusters/gitops/maintenance", cookie: pat)
            #expect(ended == .ok, "\(endBody)")
            try await eventually(timeout: .seconds(60), "one and two running again") { () -> Bool? in
                let running = try await cluster.connectors()
                return running[one]?.status?.connector.state == .running && running[two]?.status?.connector.state == .running ? true : nil
            }
            #expect(try await cluster.connectors()[held]?.status?.connector.state == .paused, "paused before: stays paused")
            #expect(try await client.send(.delete, "/api/v1/clusters/gitops/maintenance", cookie: pat).0 == .conflict, "not in maintenance")
            let rows = try await dependencies.audit.recent(limit: 200)
            #expect(rows.contains { $0.action == "maintenance-start" && $0.user == "pat" && $0.outcome == .succeeded })
            #expect(rows.contains { $0.action == "maintenance-start" && $0.user == "alice" && $0.outcome == .denied })
            #expect(rows.contains { $0.action == "maintenance-end" && $0.user == "pat" })
        }
        for name in [one, two, held, broken] { try await cluster.delete(name) }
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
