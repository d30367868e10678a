import ConnectClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Reconciler
import ServerTesting
import SwitchboardServer
import SwitchboardWeb
import LocalStack
import StackTesting
import SwitchboardCore
import TestSupport
import Testing

/// Before a rolling upgrade, on real workers of two releases: a cluster's connectors checked
/// against the `next` cluster (the newest release), each with its team and verdict; a pinned
/// plugin version the older cluster cannot honour is refused by plan with what it needs.
@Suite("Upgrade check and release checks against real Connect", .tags(.realStack))
struct UpgradeCheckLiveTests {
    static func catalog() throws -> LiveCatalog {
        let next = TestStack.shared.stack.configuration.workerURLs(of: "next")[0]
        return try LiveCatalog(extraClusters: "  - name: next\n    url: \(next)\n", policy: "admins:\n  users: [pat]\n")
    }

    @Test func theConnectorsOfAClusterAreCheckedAgainstTheNextRelease() async throws {
        try await TestStack.shared.up()
        let live = try Self.catalog()
        try live.fileSink("orders", topic: "\(live.team)-orders", cluster: "beta", state: "stopped")
        #expect(try await live.run("apply", "--auto-approve").status == 0)
        let checked = try await live.run("upgrade-check", "--cluster", "beta", "--target", "next", "--output", "json")
        #expect(checked.status == 0 || checked.status == 2, "\(checked.all)")
        let report = try JSONReader.decode(UpgradeReport.self, from: checked.stdout)
        let release = try await TestStack.shared.client("next").serverInfo().version
        #expect(report.release == TestStack.shared.release.release && report.targetRelease == release)
        let ours = try #require(report.findings.first { $0.connector == "\(live.team)_orders" })
        #expect(ours.team == live.team && ours.verdict == .ready, "\(ours)")
        let text = try await live.run("upgrade-check", "--cluster", "beta", "--target", "next")
        #expect(text.stdout.contains("\(live.team)_orders") && text.stdout.contains("ready") && text.stdout.contains("Connect \(release)"), "\(text.all)")
        let same = try await live.run("upgrade-check", "--cluster", "beta", "--target", "beta")
        #expect(same.status == 64 && same.stderr.contains("the same cluster"))

        // The same through the API: platform admins only (it sends every config to another
        // cluster's validation), a refusal audited, a cluster the catalog lacks named.
        let users = LocalUsers(entries: ["alice", "pat"].map { .init(name: $0, passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil) })
        let dependencies = try await ServerDependencies.live(live.folder.root, users: users)
        try await Application(router: buildRouter(dependencies)).test(.router) { client in
            let pat = try await client.signIn("pat"), alice = try await client.signIn("alice")
            let (status, body) = try await client.page("/api/v1/upgrade-check?cluster=beta&target=next", cookie: pat)
            #expect(status == .ok, "\(body)")
            let answered = try JSONReader.decode(UpgradeReport.self, from: body)
            #expect(answered.findings.first { $0.connector == "\(live.team)_orders" }?.verdict == .ready && answered.targetRelease == release)
            let (refused, why) = try await client.page("/api/v1/upgrade-check?cluster=beta&target=next", cookie: alice)
            #expect(refused == .forbidden && why.contains("needs a platform admin"), "\(why)")
            let (unknown, named) = try await client.page("/api/v1/upgrade-check?cluster=beta&target=gamma", cookie: pat)
            #expect(unknown == .badRequest && named.contains("target=gamma is not a cluster"), "\(named)")
        }
        let audit = try await dependencies.audit.recent(limit: 5)
        #expect(audit.contains { $0.action == "upgrade-check" && $0.user == "alice" && $0.outcome == .denied })
        try await TestStack.shared.client("beta").delete("\(live.team)_orders")
    }

    /// KIP-891 needs Connect 4.1: plan names the cluster's release instead of letting the older
    /// worker ignore the pin; on the newest release the same file applies and the worker runs it.
    @Test func aPinnedPluginVersionNeedsConnect41AndSaysSo() async throws {
        try await TestStack.shared.up()
        let live = try Self.catalog()
        let next = try await TestStack.shared.client("next").serverInfo().version
        try live.connector("pinned", cluster: "beta", className: "org.apache.kafka.connect.file.FileStreamSinkConnector", state: "stopped",
                           config: ["file": live.data.appendingPathComponent("pinned.out").path, "topics": "\(live.team)-pinned"])
        var text = try String(contentsOf: live.folder.root.appendingPathComponent("teams/\(live.team)/connectors/pinned.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "class: org.apache.kafka.connect.file.FileStreamSinkConnector", with: "class: org.apache.kafka.connect.file.FileStreamSinkConnector\npluginVersion: \"\(next)\"")
        try live.folder.write("teams/\(live.team)/connectors/pinned.yaml", text)
        let before = try await live.managedState()
        let refused = try await live.run("plan")
        #expect(refused.status == 1, "\(refused.all)")
        #expect(refused.stderr.contains("[connect-release]") && refused.stderr.contains("plugin versions needs Connect 4.1 (cluster beta runs \(TestStack.shared.release.release))"), "\(refused.stderr)")
        #expect(try await live.run("apply", "--auto-approve").status == 1)
        #expect(try await live.managedState() == before, "nothing was applied")
        // The same file on the newest release: applied, and Connect keeps the pin.
        try live.folder.write("teams/\(live.team)/connectors/pinned.yaml", text.replacingOccurrences(of: "cluster: beta", with: "cluster: next"))
        let applied = try await live.run("apply", "--auto-approve")
        #expect(applied.status == 0, "\(applied.all)")
        let config = try await TestStack.shared.client("next").connectors()["\(live.team)_pinned"]?.info?.config
        #expect(config?[ConnectorDefinition.pluginVersionKey] == next)
        #expect(try await live.run("plan", "--detailed-exitcode").status == 0, "no drift once applied")
        // Pins the newest release cannot honour: Connect's own words, nothing changed.
        for (pin, words) in [("[9.0,10.0)", "not found that matches the version range [9.0,10.0)"), ("[3.0", "Unbounded range")] {
            let pinnedFile = text.replacingOccurrences(of: "cluster: beta", with: "cluster: next").replacingOccurrences(of: "pluginVersion: \"\(next)\"", with: "pluginVersion: \"\(pin)\"")
            try live.folder.write("teams/\(live.team)/connectors/pinned.yaml", pinnedFile)
            let refused = try await live.run("apply", "--auto-approve")
            #expect(refused.status == 1 && refused.stderr.contains(words) && refused.stderr.contains("nothing was applied"), "\(pin): \(refused.all)")
            #expect(try await TestStack.shared.client("next").connectors()["\(live.team)_pinned"]?.info?.config[ConnectorDefinition.pluginVersionKey] == next, "\(pin): unchanged")
        }
        try await TestStack.shared.client("next").delete("\(live.team)_pinned")
    }
}
