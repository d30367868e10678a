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

/// Every role x every action x the three ways in (a page's form, the API with a session, the
/// CLI with a personal token), against the real worker: allowed or refused (403, exit 3), and
/// the audit row of each. On cluster beta: most tests write to alpha, and a worker busy with
/// rebalances answers actions 409 "stale configuration" for a long while.
@Suite("Permission matrix against real Connect", .tags(.realStack))
struct PermissionMatrixTests {
    /// user -> role on the connector: everyone signed in is a viewer; the team grants the rest.
    static let roles: [(String, Role)] = [("vic", .viewer), ("rita", .reader), ("oscar", .operator), ("olivia", .owner), ("pat", .admin)]
    static let users = LocalUsers(entries: roles.map { .init(name: $0.0, passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil) })
    static let actions = ["restart", "pause", "resume", "stop", "resume"]

    @Test func everyRoleTimesEveryActionThroughPageAPIAndCLI() async throws {
        // Restarts on beta one suite at a time: a task restart there takes Connect up to 20 s, and
        // a person's restart queued behind another suite's can outlast its 40 s retry budget.
        try await TestStack.shared.exclusively("beta restarts") { try await self.everyRoleTimesEveryActionThroughPageAPIAndCLIAlone() }
    }

    func everyRoleTimesEveryActionThroughPageAPIAndCLIAlone() async throws {
        try await TestStack.shared.up()
        let live = try LiveCatalog(policy: "admins:\n  users: [pat]\naccess:\n  signedIn: viewer\n",
                                   teamYAML: { _ in "members: [olivia]\nroles:\n  operator:\n    users: [oscar]\n  reader:\n    users: [rita]\n" })
        try "a\nb\n".write(to: live.data.appendingPathComponent("feed.in"), atomically: true, encoding: .utf8)
        try live.fileSource("feed", topic: "\(live.team)-matrix", cluster: "beta")
        #expect(try await live.run("apply", "--auto-approve").status == 0)
        let name = "\(live.team)_feed"

        let dependencies = try await ServerDependencies.live(live.folder.root, users: Self.users)
        // Forms and API calls through the router (actions retry through rebalances for up to
        // a minute, longer than the live test client waits); the CLI against a listening server of
        // the same dependencies.
        let app = Application(router: buildRouter(dependencies))
        let port = PortProbe.ephemeral()
        let listening = Application(router: buildRouter(dependencies), configuration: .init(address: .hostname("127.0.0.1", port: port)))
        let serving = Task { try await listening.runService(gracefulShutdownSignals: []) }
        defer { serving.cancel() }
        try await eventually(timeout: .seconds(20), "the server to listen") { PortProbe.accepts(port) ? true : nil }
        let expected = Self.roles.flatMap { user, role in
            Self.actions.flatMap { action in Array(repeating: "\(user) \(action) \(role >= .operator ? "succeeded" : "denied")", count: 3) }
                + (role >= .reader ? [] : Array(repeating: "\(user) view-offsets denied", count: 2))
        }

        try await app.test(.router) { client in
            let server = "http://127.0.0.1:\(port)"
            for (user, role) in Self.roles {
                let cookie = try await client.signIn(user)
                let (token, _) = try await dependencies.apiTokens.create(for: try #require(Self.users.user(named: user)), name: "matrix", days: 1)
                let cli = ["SWITCHBOARD_SERVER": server, "SWITCHBOARD_TOKEN": token]
                let operates = role >= .operator
                for action in Self.actions {
                    let (page, _) = try await client.send("/clusters/beta/connectors/\(name)/actions/\(action)", cookie: cookie, form: [:])
                    #expect(page == (operates ? .seeOther : .forbidden), "\(user) \(action) via a form: \(page)")
                    let (api, answer) = try await client.send("/api/v1/clusters/beta/connectors/\(name)/actions/\(action)", cookie: cookie)
                    #expect(api == (operates ? .ok : .forbidden), "\(user) \(action) via the API: \(api) \(answer)")
                    let run = try await CLI.run(["connectors", action, "beta/\(name)"], environment: cli)
                    #expect(run.status == (operates ? 0 : 3), "\(user) \(action) via the CLI: \(run.all)")
                    #expect(!run.all.contains(token), "the CLI never prints its token")
                    if !operates { #expect(run.stderr.contains("needs the role operator or higher (has \(role.rawValue))"), "\(run.all)") }
                }
                // Offsets: readers and up see them (page, API, CLI); a viewer is refused and audited.
                let reads = role >= .reader
                let (_, page) = try await client.page("/clusters/beta/connectors/\(name)", cookie: cookie)
                #expect(page.contains("shows states only") == !reads, "\(user): the page")
                let (api, _) = try await client.page("/api/v1/clusters/beta/connectors/\(name)/offsets", cookie: cookie)
                #expect(api == (reads ? .ok : .forbidden), "\(user) offsets via the API")
                let run = try await CLI.run(["offsets", "get", "beta/\(name)", "--output", "json"], environment: cli)
                #expect(run.status == (reads ? 0 : 3), "\(user) offsets via the CLI: \(run.all)")
                if reads { #expect(run.stdout.contains("\"offsets\"")) }
                // list and describe, for people.
                let listed = try await CLI.run(["connectors", "list", "--cluster", "beta", "--name", live.team], environment: cli)
                #expect(listed.status == 0 && listed.stdout.contains("beta/\(name)") && listed.stdout.contains("HEALTH"), "\(listed.all)")
                let described = try await CLI.run(["connectors", "describe", "beta/\(name)"], environment: cli)
                #expect(described.status == 0 && described.stdout.contains("your role: \(role.rawValue)"), "\(described.all)")
                #expect(described.stdout.contains("config:") == reads, "a viewer's describe has no config: \(described.stdout)")
                // A wrong token: refused with exit 3, and the wrong token is not echoed.
                let wrong = try await CLI.run(["connectors", "describe", "beta/\(name)"], environment: cli.merging(["SWITCHBOARD_TOKEN": "sbt_planted-wrong-token"]) { $1 })
                #expect(wrong.status == 3 && wrong.stderr.contains("unknown, expired or revoked") && !wrong.all.contains("planted-wrong-token"), "\(wrong.all)")
            }
        }
        let rows = try await dependencies.audit.recent(limit: 1000).reversed().map { "\($0.user) \($0.action) \($0.outcome.rawValue)" }.filter { !$0.contains("create-token") }
        #expect(rows == expected)
        #expect(!rows.joined().contains("sbt_"), "no token in the audit log")
        try await TestStack.shared.client("beta").delete(name)
    }
}
