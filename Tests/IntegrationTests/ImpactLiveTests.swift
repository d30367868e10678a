import ConnectClient
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import ServerTesting
import StackTesting
import SwitchboardControllers
import SwitchboardCore
import SwitchboardServer
import SwitchboardStorage
import SwitchboardWeb
import TestSupport
import Testing

/// Impact-aware review against the real workers: a plan that deletes one team's source names
/// the other team's sink on its topic; under require-approval, apply refuses without the
/// approval and applies with it; the GitOps controller holds the change until an owner of the
/// affected team approves it, while the rest of the commit applies.
@Suite("Impact-aware review", .tags(.realStack))
struct ImpactLiveTests {
    static let requireApproval = "  impact:\n    crossTeam: require-approval"

    @Test func aPlanNamesTheStarvedSinkAndApplyNeedsTheAffectedTeamsApproval() async throws {
        try await TestStack.shared.up()
        let live = try LiveCatalog(policy: Self.requireApproval, teamYAML: { team in
            team.hasPrefix("ana-") ? "members: [carol]\nreviewers: [\"@acme/analytics\"]\n" : "members: [alice]\n"
        })
        let topic = "\(live.team)-orders"
        try live.fileSource("cdc", topic: topic)
        try live.fileSink("events", team: live.otherTeam, topic: topic)
        let source = "\(live.team)_cdc", sink = "\(live.otherTeam)_events"
        let created = try await live.run("apply", "--auto-approve")
        #expect(created.status == 0, "creates hurt nobody: \(created.stderr)")

        // The source leaves the catalog.
        try FileManager.default.removeItem(at: live.folder.root.appendingPathComponent("teams/\(live.team)/connectors/cdc.yaml"))
        let text = try await live.run("plan")
        #expect(text.stdout.contains("!! alpha/\(source) (team \(live.team)) stops the input of alpha/\(sink) (team \(live.otherTeam)) on topic \(topic)"), "\(text.stdout)")
        let markdown = try await live.run("plan", "--output", "markdown")
        #expect(markdown.stdout.contains("Reviewers of the affected teams: @acme/analytics"), "\(markdown.stdout)")
        let json = try await live.run("plan", "--output", "json")
        let impact = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["impact"] as? [String: Any])
        let entries = impact["entries"] as? [[String: Any]] ?? []
        #expect(entries.count == 1 && (entries.first?["readers"] as? [[String: Any]])?.first?["connector"] as? String == sink, "\(impact)")

        let before = try await live.managedState()
        for (arguments, words) in [([String](), "--approve-impact team:\(live.otherTeam)"), (["--approve-impact", "team:\(live.team)"], "names a team this plan does not affect"),
                                   (["--approve-impact", live.otherTeam], "takes team:<name>")] {
            let refused = try await live.run(["apply", "--auto-approve"] + arguments)
            #expect(refused.status == 1 && refused.stderr.contains(words) && refused.stderr.contains("Nothing was applied"), "\(arguments): \(refused.stderr)")
            #expect(try await live.managedState() == before, "\(arguments): nothing applied")
        }
        let approved = try await live.run("apply", "--auto-approve", "--approve-impact", "team:\(live.otherTeam)")
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(try await TestStack.shared.client("alpha").connectors()[source] == nil)
    }

    @Test func gitOpsHoldsTheChangeUntilAnOwnerOfTheAffectedTeamApprovesIt() async throws {
        try await TestStack.shared.exclusively("gitops") { try await self.gitOpsHolds() }
    }

    func gitOpsHolds() async throws {
        try await TestStack.shared.up()
        let cluster = TestStack.shared.client("gitops")
        let stack = TestStack.shared.stack.configuration
        let live = try LiveCatalog(extraClusters: "  - name: gitops\n    url: \(stack.workerURLs(of: "gitops")[0])\n    kafka:\n      bootstrapServers: \(stack.bootstrapServers)\n",
                                   policy: Self.requireApproval)
        let topic = "\(live.team)-orders"
        try live.fileSource("cdc", topic: topic, cluster: "gitops")
        try live.fileSink("events", team: live.otherTeam, topic: topic, cluster: "gitops")
        let source = "\(live.team)_cdc", sink = "\(live.otherTeam)_events", extra = "\(live.team)_extra"
        let remote = try await GitRemote(work: live.folder.root)
        _ = try await remote.commitAndPush("A source and another team's sink on its topic")
        let audit = try AuditLog(path: ":memory:")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("impact-state-\(UUID().uuidString)")
        let (controller, store) = try await GitOpsLiveTests.controller(remote, audit: audit, state: state, interval: .seconds(2))
        let loop = Task { try await controller.run() }
        defer { loop.cancel() }
        try await eventually(timeout: .seconds(180), "both connectors on gitops") { () -> Bool? in
            let running = try await cluster.connectors()
            return running[source] != nil && running[sink] != nil ? true : nil
        }

        // One commit: the source goes (it starves the sink), and another sink comes (it hurts nobody).
        try FileManager.default.removeItem(at: live.folder.root.appendingPathComponent("teams/\(live.team)/connectors/cdc.yaml"))
        try live.fileSink("extra", topic: "\(live.team)-extra", cluster: "gitops")
        let second = try await remote.commitAndPush("Retire the CDC source; add an extra sink")
        try await eventually(timeout: .seconds(180), "the extra sink applied and the delete held") { () -> Bool? in
            guard try await cluster.connectors()[extra] != nil, let held = controller.status.cluster("gitops")?.held else { return nil }
            return held.contains { $0.connector == source && $0.commit == second && $0.waitingFor == [live.otherTeam] } ? true : nil
        }
        #expect(try await cluster.connectors()[source] != nil, "held: not deleted")
        let holds = try await audit.recent(limit: 200).filter { $0.action == "gitops-hold" && $0.connector == source }
        #expect(holds.count == 1 && holds[0].detail?.contains(sink) == true, "audited once: \(holds)")

        let users = LocalUsers(entries: ["alice", "carol"].map { .init(name: $0, passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil) })
        let dependencies = ServerDependencies.assemble(store: store, audit: audit, auth: AuthSettings(localUsers: users), gitops: controller)
        try await Application(router: buildRouter(dependencies)).test(.router) { client in
            let alice = try await client.signIn("alice"), carol = try await client.signIn("carol")
            let path = "/api/v1/gitops/clusters/gitops/approvals"
            // Bad approvals: each one clear error, nothing recorded.
            for (cookie, body, status, words) in [
                (alice, #"{"connector":"\#(source)","team":"\#(live.otherTeam)"}"#, HTTPResponse.Status.forbidden, "alice is not an owner of team \(live.otherTeam)"),
                (alice, #"{"connector":"\#(source)","team":"\#(live.team)"}"#, .badRequest, "team \(live.team) is not affected"),
                (carol, #"{"connector":"\#(sink)","team":"\#(live.otherTeam)"}"#, .conflict, "no change of \(sink)"),
                (carol, #"{"connector":"\#(source)","team":"nobody"}"#, .badRequest, "no team nobody"),
                (carol, #"{"connector":"\#(source)"}"#, .badRequest, "send {"),
            ] {
                let (answer, text) = try await client.send(path, cookie: cookie, json: body)
                #expect(answer == status && text.contains(words), "\(body): \(answer) \(text)")
            }
            #expect(try await cluster.connectors()[source] != nil)
            let (page, html) = try await client.page("/gitops", cookie: carol)
            #expect(page == .ok && html.contains("Approve for team \(live.otherTeam)"), "carol sees the button")
            #expect(!(try await client.page("/gitops", cookie: alice)).1.contains("Approve for team"), "alice owns no waiting team")

            let (answer, text) = try await client.send(path, cookie: carol, json: #"{"connector":"\#(source)","team":"\#(live.otherTeam)"}"#)
            #expect(answer == .accepted, "\(text)")
        }
        try await eventually(timeout: .seconds(180), "the approved delete applied") { try await cluster.connectors()[source] == nil ? true : nil }
        let rows = try await audit.recent(limit: 300)
        #expect(rows.contains { $0.action == "approve-impact" && $0.user == "carol" && $0.outcome == .succeeded && $0.connector == source })
        #expect(rows.filter { $0.action == "approve-impact" && $0.outcome != .succeeded }.count == 3, "refusals are audited (an unknown team or a bad body names nothing to record)")
        #expect(rows.contains { $0.action == "gitops-delete" && $0.connector == source && $0.outcome == .succeeded })
        try await eventually(timeout: .seconds(60), "nothing held any more") { controller.status.cluster("gitops")?.held == nil ? true : nil }
    }
}
