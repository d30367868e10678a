import ConnectClient
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import LocalStack
import ServerTesting
import StackTesting
import SwitchboardAPI
import SwitchboardStorage
import SwitchboardWeb
import TestSupport
import Testing

/// Bulk actions against the real workers: an owner restarts all FAILED connectors of a team from
/// the API, the UI and the CLI; a selection mixing owned and foreign connectors acts on the first
/// and refuses the second, audited and tied together; bad selections are one clear error each.
@Suite("Bulk actions", .tags(.realStack))
struct BulkActionLiveTests {
    static func decode(_ body: String) throws -> BulkActionAnswer {
        try JSONDecoder().decode(BulkActionAnswer.self, from: Data(body.utf8))
    }

    @Test func anOwnerRestartsHerTeamsFailedConnectorsAndForeignOnesAreRefused() async throws {
        // Restarts on beta, one suite at a time: under the whole suite's writes a worker can answer
        // 409 (stale configuration) for longer than a person's retries wait.
        try await TestStack.shared.exclusively("beta restarts") { try await self.bulk() }
    }

    func bulk() async throws {
        try await TestStack.shared.up()
        let live = try LiveCatalog()
        // Sinks writing into a folder that does not exist: their tasks fail for real.
        let missing = live.data.appendingPathComponent("no-such-folder")
        for name in ["a", "b"] {
            try live.connector(name, cluster: "beta", className: "org.apache.kafka.connect.file.FileStreamSinkConnector", config: ["topics": "\(live.team)-\(name)", "file": missing.appendingPathComponent("\(name).txt").path])
        }
        try live.connector("c", team: live.otherTeam, cluster: "beta", className: "org.apache.kafka.connect.file.FileStreamSinkConnector",
                           config: ["topics": "\(live.otherTeam)-c", "file": missing.appendingPathComponent("c.txt").path])
        _ = try await live.run("apply", "--auto-approve", "--wait-timeout", "20")
        let users = LocalUsers(entries: ["alice", "carol"].map { .init(name: $0, passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil) })
        let dependencies = try await ServerDependencies.live(live.folder.root, users: users)
        let mine = ["beta/\(live.team)_a", "beta/\(live.team)_b"], foreign = "beta/\(live.otherTeam)_c"
        try await eventually(timeout: .seconds(90), "the three sinks to fail") { () -> Bool? in
            await dependencies.store.refresh()
            return (mine + [foreign]).allSatisfy { dependencies.store.current.connectors[$0]?.health == "FAILED" } ? true : nil
        }
        try await Application(router: buildRouter(dependencies)).test(.router) { client in
            let alice = try await client.signIn("alice")
            // The API: a dry run says what would be done and what she may not do, and does nothing.
            let q = "q=\(live.team.dropFirst(4))&state=FAILED&includeTasks=true&onlyFailed=true"
            let (dryStatus, dry) = try await client.send("/api/v1/connectors/actions/restart?\(q)&dryRun=true", cookie: alice)
            #expect(dryStatus == .ok, "\(dry)")
            let planned = try Self.decode(dry)
            #expect(planned.dryRun && Set(planned.results.filter { $0.result == "would-do" }.map { "\($0.cluster)/\($0.connector)" }) == Set(mine), "\(planned)")
            #expect(planned.results.first { "\($0.cluster)/\($0.connector)" == foreign }?.result == "refused", "\(planned)")
            #expect(try await dependencies.audit.recent(limit: 50).filter { $0.action.hasPrefix("restart") }.isEmpty, "a dry run does nothing")

            let (status, body) = try await client.send("/api/v1/connectors/actions/restart?\(q)", cookie: alice)
            let answer = try Self.decode(body)
            #expect(status == .ok && answer.done == 2 && answer.refused == 1 && answer.failed == 0, "\(body)")
            let rows = try await dependencies.audit.recent(limit: 50).filter { $0.detail?.contains("bulk \(answer.bulk)") == true }
            #expect(rows.count == 3, "one row per connector, tied by the bulk id: \(rows)")
            #expect(rows.filter { $0.outcome == .succeeded }.count == 2 && rows.filter { $0.outcome == .denied }.map(\.connector) == ["\(live.otherTeam)_c"])

            // The UI: a confirmation naming what will be done, then the results.
            let (confirmStatus, confirm) = try await client.page("/bulk?action=restart&c=\(mine[0])&c=\(foreign)", cookie: alice)
            #expect(confirmStatus == .ok && confirm.contains("restart 1 connector(s)") && confirm.contains("refused"), "\(confirm.suffix(1500))")
            let (doneStatus, done) = try await client.send("/bulk?action=restart&c=\(mine[0])&c=\(foreign)", cookie: alice, form: [:])
            // Done, or (a rebalance on the shared stack outlasting the retries) failed with Connect's own words.
            #expect(doneStatus == .ok && done.contains(", 1 refused, ") && (done.contains("1 done, 1 refused, 0 failed") || done.contains("answered 409")), "\(done.suffix(1500))")
            #expect(done.contains("restart on cluster beta needs the role operator or higher (has reader)"), "why the foreign one was refused")
            let (_, overview) = try await client.page("/?state=FAILED", cookie: alice)
            #expect(overview.contains("form=\"bulk\"") && overview.contains("action=\"/bulk\""), "rows can be ticked for the bulk form")

            // Bad selections: one clear error each, nothing done.
            let before = try await dependencies.audit.recent(limit: 200).count
            for (uri, body, words) in [
                ("/api/v1/connectors/actions/restart", nil as String?, "the selection is empty"),
                ("/api/v1/connectors/actions/restart?state=FAILD", nil, "state must be one of"),
                ("/api/v1/connectors/actions/restart?team=nobody", nil, "no team nobody"),
                ("/api/v1/connectors/actions/restart?cluster=mars", nil, "no cluster mars"),
                ("/api/v1/connectors/actions/restart?q=no-such-connector-anywhere", nil, "matches no connector"),
                ("/api/v1/connectors/actions/restart?team=\(live.team)", #"{"connectors":["alpha/x"]}"#, "not both"),
                ("/api/v1/connectors/actions/restart", #"{"connectors":["alpha/x"]}"#, "no connector alpha/x"),
                ("/api/v1/connectors/actions/explode?team=\(live.team)", nil, "bulk actions are restart, pause, resume and stop"),
            ] {
                let (status, text) = try await client.send(uri, cookie: alice, json: body)
                #expect(status == .badRequest && text.contains(words), "\(uri): \(status) \(text)")
            }
            #expect(try await dependencies.audit.recent(limit: 200).count == before, "nothing done, nothing audited")
        }

        // The CLI, through a listening server with alice's token.
        let port = PortProbe.ephemeral()
        let listening = Application(router: buildRouter(dependencies), configuration: .init(address: .hostname("127.0.0.1", port: port)))
        let serving = Task { try await listening.runService(gracefulShutdownSignals: []) }
        defer { serving.cancel() }
        try await eventually(timeout: .seconds(20), "the server to listen") { PortProbe.accepts(port) ? true : nil }
        let (token, _) = try await dependencies.apiTokens.create(for: try #require(users.user(named: "alice")), name: "bulk", days: 1)
        let environment = ["SWITCHBOARD_SERVER": "http://127.0.0.1:\(port)", "SWITCHBOARD_TOKEN": token]
        let dry = try await CLI.run(["connectors", "restart", "--team", live.team, "--state", "FAILED", "--dry-run"], environment: environment)
        #expect(dry.status == 0 && dry.stdout.contains("2 would be done, 0 refused. Nothing was done."), "\(dry.all)")
        let restarted = try await CLI.run(["connectors", "restart", "--team", live.team, "--state", "FAILED", "--include-tasks", "--only-failed"], environment: environment)
        #expect(restarted.status == 0 && restarted.stdout.contains("2 done, 0 refused, 0 failed"), "\(restarted.all)")
        let typo = try await CLI.run(["connectors", "restart", "--team", live.team, "--state", "FAILD"], environment: environment)
        #expect(typo.status != 0 && typo.all.contains("state must be one of"), "\(typo.all)")
        #expect(!(dry.all + restarted.all + typo.all).contains(token))
        for name in mine + [foreign] {
            try await TestStack.shared.client("beta").delete(ConnectorView.parts(ofKey: name).name)
        }
    }
}
