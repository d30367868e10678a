import ConnectClient
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import Reconciler
import ServerTesting
import StackTesting
import SwitchboardControllers
import SwitchboardCore
import SwitchboardMetrics
import SwitchboardServer
import SwitchboardSnapshot
import SwitchboardStorage
import SwitchboardWeb
import TestSupport
import Testing

/// The GitOps controller following a local bare repository and keeping the real clusters on
/// it: cluster gitops (the test stack's, for this suite alone) in `auto` mode, alpha in `manual`.
@Suite("GitOps against real Connect", .tags(.realStack))
struct GitOpsLiveTests {
    static let users = LocalUsers(entries: ["alice", "pat"].map { .init(name: $0, passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil) })
    static let secret = "gitops-live-webhook-secret"

    /// A controller as `serve --git-repository` makes it, over `remote`.
    static func controller(_ remote: GitRemote, audit: AuditLog, state: URL, interval: Duration) async throws -> (GitOpsController, SnapshotStore) {
        let repository = GitRepository(url: remote.bare.path, branch: remote.branch, stateFolder: state, deadline: .seconds(60))
        let logger = Logger(label: "gitops-test")
        let start = try await GitOpsController.start(repository: repository, audit: audit, timeout: .seconds(100), logger: logger)
        let store = SnapshotStore(catalog: start.catalog, connections: start.connections)
        await store.refresh()
        return (GitOpsController(store: store, audit: audit, metrics: ServerMetrics(), repository: repository, served: start, interval: interval, timeout: .seconds(100), logger: logger), store)
    }

    @Test func commitsAreAppliedBadOnesRefusedDriftCorrectedOrReportedAndDeletesGuarded() async throws {
        // The cluster `gitops` to itself: its timings assume nobody else rebalances it meanwhile.
        try await TestStack.shared.exclusively("gitops") { try await self.commitsAreAppliedBadOnesRefusedDriftCorrectedOrReportedAndDeletesGuardedAlone() }
    }

    func commitsAreAppliedBadOnesRefusedDriftCorrectedOrReportedAndDeletesGuardedAlone() async throws {
        try await TestStack.shared.up()
        let alpha = TestStack.shared.client("alpha"), auto = TestStack.shared.client("gitops")
        let stack = TestStack.shared.stack.configuration
        let live = try LiveCatalog(extraClusters: "  - name: gitops\n    url: \(stack.workerURLs(of: "gitops")[0])\n", policy: "  maxDeletesPerApply: 0")
        let yaml = try String(contentsOf: live.folder.root.appendingPathComponent("switchboard.yaml"), encoding: .utf8)
        @Sendable func platform(auto drift: String, deletes: Int) -> String {
            yaml.replacingOccurrences(of: "  - name: alpha\n", with: "  - name: alpha\n    gitops:\n      mode: manual\n")
                .replacingOccurrences(of: "  - name: gitops\n", with: "  - name: gitops\n    gitops:\n      drift: \(drift)\n")
                .replacingOccurrences(of: "maxDeletesPerApply: 0", with: "maxDeletesPerApply: \(deletes)") + "\nadmins:\n  users: [pat]\n"
        }
        try live.folder.write("switchboard.yaml", platform(auto: "correct", deletes: 0))
        try live.fileSink("orders", topic: "\(live.team)-orders", cluster: "gitops")
        try live.fileSink("audit", topic: "\(live.team)-audit", cluster: "alpha")
        let orders = "\(live.team)_orders", auditSink = "\(live.team)_audit"
        let remote = try await GitRemote(work: live.folder.root)
        // A credential pasted into a commit message: the audit rows that quote the commit mask it.
        let pasted = "Pasted-\(UInt32.random(in: 0...UInt32.max))-pw"
        let first = try await remote.commitAndPush("Add orders and audit sinks (db password=\(pasted))")
        let audit = try AuditLog(path: ":memory:")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("gitops-state-\(UUID().uuidString)")

        // Phase 1: a short interval.
        let (controller, store) = try await Self.controller(remote, audit: audit, state: state, interval: .seconds(2))
        let loop = Task { try await controller.run() }
        defer { loop.cancel() }

        // The commit reaches cluster gitops (auto) within an interval; alpha (manual) shows it pending.
        try await eventually(timeout: .seconds(180), "\(orders) to run on gitops") { try await auto.connectors()[orders]?.status?.connector.state == .running ? true : nil }
        try await eventually(timeout: .seconds(60), "alpha's pending plan") { () -> Bool? in
            guard let sync = controller.status.cluster("alpha"), sync.result == .pending else { return nil }
            return sync.pending.contains { $0.connector == auditSink && $0.action == .create } ? true : nil
        }
        #expect(try await alpha.connectors()[auditSink] == nil, "a manual cluster is not written")
        let created = try await audit.recent(limit: 500).filter { $0.action == "gitops-create" && $0.connector == orders }
        #expect(created.count == 1 && created[0].user == GitOpsController.user && created[0].detail?.contains(String(first.prefix(10))) == true, "\(created)")
        // What the sync was about to write was audited before it wrote (a replica killed mid-sync leaves this row).
        let started = try await audit.recent(limit: 500).filter { $0.action == "gitops-sync-start" && $0.cluster == "gitops" && $0.detail?.contains(orders) == true }
        #expect(started.count == 1 && started[0].detail?.contains(String(first.prefix(10))) == true, "\(started)")
        #expect((started.first?.id ?? .max) < (created.first?.id ?? .min), "the start is recorded before the create")
        let quoting = try await audit.recent(limit: 500).filter { $0.detail?.contains(String(first.prefix(10))) == true }
        #expect(quoting.count >= 3 && quoting.allSatisfy { $0.detail?.contains("password=(secret)") == true }, "\(quoting)")
        #expect(!(try await audit.recent(limit: 500)).contains { "\($0)".contains(pasted) })
        #expect(controller.status.cluster("gitops")?.applied?.hash == first)

        // A commit that breaks policy is not applied; the served commit stays, and the page says why.
        try live.folder.write("teams/\(live.team)/connectors/orders.yaml", try String(contentsOf: live.folder.root.appendingPathComponent("teams/\(live.team)/connectors/orders.yaml"), encoding: .utf8) + "\ntasks: 99\n")
        let bad = try await remote.commitAndPush("Ninety-nine tasks")
        try await eventually(timeout: .seconds(60), "the bad commit refused") { controller.status.rejected?.commit.hash == bad ? true : nil }
        #expect(controller.status.current?.hash == first)
        #expect(try await auto.connectors()[orders]?.info?.config["tasks.max"] != "99")
        let dependencies = ServerDependencies.assemble(store: store, audit: audit, auth: AuthSettings(localUsers: Self.users), gitops: controller, webhookSecret: Array(Self.secret.utf8))
        try await Application(router: buildRouter(dependencies)).test(.router) { client in
            let cookie = try await client.signIn("alice")
            let (status, page) = try await client.page("/gitops", cookie: cookie)
            #expect(status == .ok && page.contains(String(bad.prefix(10))) && page.contains("asks for 99 tasks"), "\(page)")
        }
        try live.fileSink("orders", topic: "\(live.team)-orders", cluster: "gitops")
        let fixed = try await remote.commitAndPush("Back to one task")

        // Drift on gitops (drift: correct) is restored at the next sync.
        try await eventually(timeout: .seconds(60), "the fixed commit served") { controller.status.current?.hash == fixed ? true : nil }
        var edited = try #require(try await auto.connectors()[orders]?.info?.config)
        edited["file"] = live.data.appendingPathComponent("elsewhere.out").path
        _ = try await auto.putConfig(orders, config: edited)
        try await eventually(timeout: .seconds(90), "the drift corrected") { () -> Bool? in
            try await auto.connectors()[orders]?.info?.config["file"] == live.data.appendingPathComponent("orders.out").path ? true : nil
        }

        // With drift: report, the same edit is shown, counted in metrics, and left alone.
        try live.folder.write("switchboard.yaml", platform(auto: "report", deletes: 0))
        let report = try await remote.commitAndPush("Only report drift on gitops")
        try await eventually(timeout: .seconds(60), "the report commit applied") { controller.status.cluster("gitops")?.matched?.hash == report ? true : nil }
        _ = try await auto.putConfig(orders, config: edited)
        try await eventually(timeout: .seconds(60), "the drift reported") { () -> Bool? in
            controller.status.cluster("gitops")?.drifting == [orders] ? true : nil
        }
        #expect(controller.status.cluster("gitops")?.result == .drifted)
        #expect(String(decoding: controller.metrics.emit(), as: UTF8.self).contains(#"switchboard_gitops_drift{cluster="gitops"} 1"#))
        try await Task.sleep(for: .seconds(5))
        #expect(try await auto.connectors()[orders]?.info?.config["file"] == edited["file"], "reported, not corrected")
        loop.cancel()

        // Phase 2: a long interval; a signed webhook syncs at once.
        let (hooked, hookedStore) = try await Self.controller(remote, audit: audit, state: state, interval: .seconds(3600))
        let hookedLoop = Task { try await hooked.run() }
        defer { hookedLoop.cancel() }
        let server = ServerDependencies.assemble(store: hookedStore, audit: audit, auth: AuthSettings(localUsers: Self.users), gitops: hooked, webhookSecret: Array(Self.secret.utf8))
        try await Application(router: buildRouter(server)).test(.router) { client in
            func push() async throws -> HTTPResponse.Status {
                let body = #"{"ref": "refs/heads/main"}"#
                let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(Self.secret.utf8)))
                return try await client.execute(uri: "/hooks/git", method: .post, headers: [
                    .contentType: "application/json", HTTPField.Name("X-GitHub-Event")!: "push",
                    HTTPField.Name("X-Hub-Signature-256")!: "sha256=" + mac.map { String(format: "%02x", $0) }.joined(),
                ], body: ByteBuffer(string: body)) { $0.status }
            }
            // Deleting a file goes through the deletion guard (policy.maxDeletesPerApply: 0).
            try live.folder.remove("teams/\(live.team)/connectors/orders.yaml")
            let deleting = try await remote.commitAndPush("Remove the orders sink")
            #expect(try await push() == .accepted)
            try await eventually(timeout: .seconds(120), "the delete refused") { () -> Bool? in
                guard let sync = hooked.status.cluster("gitops"), sync.applied?.hash == deleting else { return nil }
                return sync.result == .refused ? true : nil
            }
            #expect(hooked.status.cluster("gitops")?.detail?.contains("maxDeletesPerApply") == true)
            #expect(try await auto.connectors()[orders] != nil, "the guard kept it")
            // Another sync of the same commit: still refused, not tried (or audited) again.
            let synced = try #require(hooked.status.lastSyncAt)
            #expect(try await push() == .accepted)
            try await eventually(timeout: .seconds(120), "another sync") { (hooked.status.lastSyncAt ?? synced) > synced ? true : nil }
            #expect(hooked.status.cluster("gitops")?.result == .refused)
            #expect(try await audit.recent(limit: 1000).filter { $0.action == "gitops-sync" && $0.detail?.contains("refused") == true }.count == 1)

            // Raising the limit in a reviewed commit lets the delete through.
            try live.folder.write("switchboard.yaml", platform(auto: "report", deletes: 1))
            _ = try await remote.commitAndPush("Allow one delete")
            #expect(try await push() == .accepted)
            try await eventually(timeout: .seconds(120), "\(orders) deleted") { try await auto.connectors()[orders] == nil ? true : nil }

            // An admin applies alpha's pending plan by hand; alice may not.
            let alice = try await client.signIn("alice"), pat = try await client.signIn("pat")
            #expect(try await client.send("/api/v1/gitops/clusters/alpha/apply", cookie: alice).0 == .forbidden)
            #expect(try await client.send("/api/v1/gitops/clusters/alpha/apply", cookie: pat).0 == .accepted)
            try await eventually(timeout: .seconds(180), "\(auditSink) on alpha") { try await alpha.connectors()[auditSink] != nil ? true : nil }
            // Audited (as pat, who asked) once the applier saw it reach its state.
            try await eventually(timeout: .seconds(180), "the create on alpha audited") { () -> Bool? in
                try await audit.recent(limit: 1000).contains { $0.action == "gitops-create" && $0.cluster == "alpha" && $0.user == "pat" } ? true : nil
            }
        }
        let entries = try await audit.recent(limit: 1000)
        // Each sync that wrote is audited once with its commit.
        let syncs = entries.filter { $0.action == "gitops-sync" && $0.outcome == .succeeded }.map { "\($0.cluster): \($0.detail ?? "")" }
        #expect(Set(syncs).count == syncs.count, "\(syncs)")
        #expect(entries.contains { $0.action == "gitops-delete" && $0.connector == orders && $0.outcome == .succeeded })
        hookedLoop.cancel()
        try await alpha.delete(auditSink)
    }
}
