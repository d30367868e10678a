import ConnectClient
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import LocalStack
import Reconciler
import ServerTesting
import StackTesting
import SwitchboardWeb
import TestSupport
import SwitchboardCore
import SwitchboardServer
import Testing

/// `switchboard serve`'s router over a snapshot of the real clusters, with actions that reach
/// the real Connect workers (on cluster beta: a worker as busy as alpha is during the suite
/// answered a task restart 409 "stale configuration" for over a minute).
@Suite("Server against real Connect", .tags(.realStack))
struct ServerLiveTests {
    static let users = LocalUsers(entries: [
        .init(name: "alice", passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil),
        .init(name: "carol", passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil),
    ])

    @Test func ownersActOnRealConnectorsOthersAreRefusedAndEverythingIsAudited() async throws {
        // It restarts a task on beta: one suite at a time (see PermissionMatrixTests).
        try await TestStack.shared.exclusively("beta restarts") { try await self.ownersActOnRealConnectorsOthersAreRefusedAndEverythingIsAuditedAlone() }
    }

    func ownersActOnRealConnectorsOthersAreRefusedAndEverythingIsAuditedAlone() async throws {
        try await TestStack.shared.up()
        let worker = TestStack.shared.client("beta")
        let live = try LiveCatalog()
        try live.fileSink("orders", topic: "\(live.team)-orders", cluster: "beta")
        #expect(try await live.run("apply", "--auto-approve").status == 0)
        let name = "\(live.team)_orders"

        let dependencies = try await ServerDependencies.live(live.folder.root, users: Self.users, details: true)
        let store = dependencies.store, audit = dependencies.audit
        // Apply returns once the connector runs; its task can be assigned a moment later.
        try await eventually(timeout: .seconds(60), "task 0 of \(name) in the snapshot") { () -> Bool? in
            if store.current.connectors["beta/\(name)"]?.tasks.contains(where: { $0.id == 0 }) == true { return true }
            await store.refresh()
            return nil
        }
        let app = Application(router: buildRouter(dependencies))

        try await app.test(.router) { client in
            let alice = try await client.signIn("alice"), carol = try await client.signIn("carol")

            // Every page over the real snapshot.
            for uri in ["/", "/clusters/beta", "/teams/\(live.team)", "/clusters/beta/connectors/\(name)", "/audit", "/api/v1/connectors", "/api/v1/clusters/beta"] {
                let (status, body) = try await client.page(uri, cookie: alice)
                #expect(status == .ok, "\(uri)")
                #expect(!body.isEmpty)
            }
            let (_, page) = try await client.page("/clusters/beta/connectors/\(name)", cookie: alice)
            #expect(page.contains("actions/pause"), "the owner sees the buttons")
            #expect(page.contains("the live config matches the catalog"))
            let (_, cluster) = try await client.page("/clusters/beta", cookie: alice)
            #expect(cluster.contains("FileStreamSinkConnector") && cluster.contains(TestStack.shared.release.release), "plugins and version")

            // The owner restarts task 0 (apply left it RUNNING).
            let (restarted, answer) = try await client.send("/api/v1/clusters/beta/connectors/\(name)/tasks/0/restart", cookie: alice)
            #expect(restarted == .ok, "\(answer)")

            // The owner pauses through a form; Connect pauses it.
            let (paused, _) = try await client.send("/clusters/beta/connectors/\(name)/actions/pause", cookie: alice, form: [:])
            #expect(paused == .seeOther)
            try await eventually(timeout: .seconds(60), "\(name) to pause") { try await worker.status(of: name).connector.state == .paused ? true : nil }

            // Another team is refused, and so is nobody.
            #expect(try await client.send("/api/v1/clusters/beta/connectors/\(name)/actions/resume", cookie: carol).0 == .forbidden)
            #expect(try await client.send("/api/v1/clusters/beta/connectors/\(name)/actions/resume", cookie: nil).0 == .unauthorized)
            #expect(try await worker.status(of: name).connector.state == .paused)

            // The owner resumes through the API.
            #expect(try await client.send("/api/v1/clusters/beta/connectors/\(name)/actions/resume", cookie: alice).0 == .ok)
            try await eventually(timeout: .seconds(60), "\(name) to run") { try await worker.status(of: name).connector.state == .running ? true : nil }
        }

        let entries = try await audit.recent()
        #expect(entries.map(\.outcome) == [.succeeded, .denied, .denied, .succeeded, .succeeded])
        #expect(entries.map(\.user) == ["alice", "anonymous", "carol", "alice", "alice"])
        #expect(entries.map(\.action) == ["resume", "resume", "resume", "pause", "restart-task"])
        try await worker.delete(name)
    }
}
