import ConnectClient
import Foundation
import Hummingbird
import HummingbirdTesting
import LocalStack
import Reconciler
import ServerTesting
import StackTesting
import SwitchboardControllers
import SwitchboardCore
import SwitchboardServer
import SwitchboardWeb
import TestSupport
import Testing

/// Log levels on real workers (on each Connect release the suite runs on): an owner sets the
/// logger of her connector's class for the whole cluster, every worker of it answers the new
/// level, and the controller puts the previous one back when its time is up.
@Suite("Log levels against real Connect", .tags(.realStack))
struct LogLevelLiveTests {
    @Test func anOwnersLevelReachesEveryWorkerAndIsPutBack() async throws {
        try await TestStack.shared.up()
        let live = try LiveCatalog()
        try live.fileSink("orders", topic: "\(live.team)-orders", cluster: "beta")
        #expect(try await live.run("apply", "--auto-approve").status == 0)
        let users = LocalUsers(entries: ["alice", "carol"].map { .init(name: $0, passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil) })
        let dependencies = try await ServerDependencies.live(live.folder.root, users: users)
        let logger = "org.apache.kafka.connect.file"
        let worker = TestStack.shared.client("beta")
        // A logger nobody set has no level of its own (404): it has what it inherits.
        let before = try await LogLevels(connections: dependencies.connections).current(logger, cluster: "beta")
        try await Application(router: buildRouter(dependencies)).test(.router) { client in
            let alice = try await client.signIn("alice"), carol = try await client.signIn("carol")
            let (set, answer) = try await client.send(.put, "/api/v1/clusters/beta/loggers/\(logger)", cookie: alice, json: #"{"level": "TRACE", "minutes": 1}"#)
            #expect(set == .ok, "\(answer)")
            #expect(try await client.send(.put, "/api/v1/clusters/beta/loggers/\(logger)", cookie: carol, json: #"{"level": "TRACE"}"#).0 == .forbidden)
            #expect(try await client.send(.put, "/api/v1/clusters/beta/loggers/org.apache.kafka", cookie: alice, json: #"{"level": "TRACE"}"#).0 == .forbidden)
            // A cluster-wide level reaches each worker as it reads the config topic: soon, not at once.
            try await eventually(timeout: .seconds(30), "the API to list the new level") { () -> Bool? in
                let (_, listed) = try await client.page("/api/v1/clusters/beta/loggers", cookie: carol)
                return listed.contains(#""\#(logger)":"TRACE""#) && listed.contains(TestStack.shared.release.release) ? true : nil
            }
        }
        for url in TestStack.shared.stack.configuration.workerURLs(of: "beta") {
            try await eventually(timeout: .seconds(30), "\(url) to run TRACE") { try await worker.logger(logger, worker: url).level == "TRACE" ? true : nil }
        }
        // The same through the CLI against a listening server: carol reads, alice sets and is told
        // when it is put back, carol is refused with exit 3; neither token is ever printed.
        let port = PortProbe.ephemeral()
        let listening = Application(router: buildRouter(dependencies), configuration: .init(address: .hostname("127.0.0.1", port: port)))
        let serving = Task { try await listening.runService(gracefulShutdownSignals: []) }
        defer { serving.cancel() }
        try await eventually(timeout: .seconds(20), "the server to listen") { PortProbe.accepts(port) ? true : nil }
        func cli(_ user: String) async throws -> [String: String] {
            let (token, _) = try await dependencies.apiTokens.create(for: try #require(users.user(named: user)), name: "loggers", days: 1)
            return ["SWITCHBOARD_SERVER": "http://127.0.0.1:\(port)", "SWITCHBOARD_TOKEN": token]
        }
        let asAlice = try await cli("alice"), asCarol = try await cli("carol")
        let got = try await CLI.run(["loggers", "get", "beta"], environment: asCarol)
        #expect(got.status == 0 && got.stdout.contains("runs Connect \(TestStack.shared.release.release)") && got.stdout.contains("\(logger) TRACE by alice"), "\(got.all)")
        let again = try await CLI.run(["loggers", "set", "beta", logger, "debug", "--minutes", "1"], environment: asAlice)
        #expect(again.status == 0 && again.stdout.contains("\(logger) on beta is DEBUG") && again.stdout.contains("is put back at"), "\(again.all)")
        let refused = try await CLI.run(["loggers", "set", "beta", logger, "DEBUG"], environment: asCarol)
        #expect(refused.status == 3 && refused.stderr.contains("needs a platform admin"), "\(refused.all)")
        for run in [got, again, refused] {
            #expect(!run.all.contains(asAlice["SWITCHBOARD_TOKEN"]!) && !run.all.contains(asCarol["SWITCHBOARD_TOKEN"]!))
        }
        let restorer = LogLevelRestorer(store: dependencies.store, audit: dependencies.audit, logger: dependencies.logger)
        #expect(await restorer.restoreDue(now: Date().addingTimeInterval(90)) == 1)
        try await eventually(timeout: .seconds(30), "the level put back to \(before)") { try await worker.logger(logger).level == before ? true : nil }
        let audit = try await dependencies.audit.recent(limit: 10)
        // The second change (DEBUG, through the CLI) keeps the first one's level to put back: one restore.
        #expect(audit.map(\.action).prefix(6) == ["restore-log-level", "set-log-level", "set-log-level", "set-log-level", "set-log-level", "set-log-level"])
        #expect(audit.first?.user == LogLevelRestorer.user && audit.first?.outcome == .succeeded)
        try await worker.delete("\(live.team)_orders")
    }
}
