import AsyncHTTPClient
import ConnectClient
import Foundation
import LocalStack
import NIOCore
import NIOHTTP1
import ServerTesting
import StackTesting
import SwitchboardServer
import SwitchboardStorage
import SwitchboardWeb
import TestSupport
import Testing

/// Two `switchboard serve` processes on one PostgreSQL, following one repository: both serve
/// pages and the API (a session started on one works on the other), one runs the GitOps
/// controller, and when it is killed the other takes over; every sync is audited once.
@Suite("Two replicas on PostgreSQL", .tags(.realStack))
struct ReplicasTests {
    @Test func bothServeOneSyncsAndTheOtherTakesOverWhenItIsKilled() async throws {
        // The cluster `gitops` to itself: its timings assume nobody else rebalances it meanwhile.
        try await TestStack.shared.exclusively("gitops") { try await self.bothServeOneSyncsAndTheOtherTakesOverWhenItIsKilledAlone() }
    }

    func bothServeOneSyncsAndTheOtherTakesOverWhenItIsKilledAlone() async throws {
        let stack = try await TestStack.shared.up()
        let auto = TestStack.shared.client("gitops")
        let location = try await StorageTests.postgresLocation()
        let live = try LiveCatalog(extraClusters: "  - name: gitops\n    url: \(stack.configuration.workerURLs(of: "gitops")[0])\n")
        try live.fileSink("first", topic: "\(live.team)-first", cluster: "gitops")
        let remote = try await GitRemote(work: live.folder.root)
        let firstCommit = try await remote.commitAndPush("A first sink")
        let users = live.data.appendingPathComponent("users.yaml")
        try "users:\n  - name: alice\n    passwordHash: \"\(LocalUsers.hash("pw", cost: 4))\"\n".write(to: users, atomically: true, encoding: .utf8)

        // Two replicas, each with its own copy of the repository.
        var replicas: [(daemon: Daemon, port: Int)] = []
        for index in 0..<2 {
            let folder = live.data.appendingPathComponent("replica-\(index)")
            let daemon = Daemon(name: "replica-\(index)", directory: folder, file: "serve")
            let port = PortProbe.ephemeral()
            try await daemon.start("/usr/bin/env", ["SWITCHBOARD_SESSION_SECRET=replicas-test-secret", "SWITCHBOARD_TIMEOUT=90", CLI.executable.path, "serve",
                                                     "--git-repository", remote.bare.path, "--sync-interval", "5", "--gitops-state", folder.appendingPathComponent("gitops").path,
                                                     "--database", "postgres://postgres@127.0.0.1:\(location.port)/\(location.database)?sslmode=disable",
                                                     "--users-file", users.path, "--port", String(port)])
            replicas.append((daemon, port))
        }
        defer { for replica in replicas { _ = replica.daemon.stop(grace: 5) } }
        for replica in replicas {
            try await eventually(timeout: .seconds(120), "replica on \(replica.port) to answer") { PortProbe.accepts(replica.port) ? true : nil }
        }

        // Both serve; a session started on one is good on the other.
        let cookie = try await Self.signIn(port: replicas[0].port)
        for replica in replicas {
            #expect(try await Self.get(port: replica.port, "/api/v1/me", cookie: cookie).0 == 200, "replica on \(replica.port)")
        }

        // One of them runs the controller: the sink is created once, and audited once.
        let first = "\(live.team)_first"
        try await eventually(timeout: .seconds(180), "\(first) created") { try await auto.connectors()[first] != nil ? true : nil }
        let holders = replicas.filter { $0.daemon.logTail(400).contains { $0.contains("This replica runs the controllers") } }
        #expect(holders.count == 1, "one replica holds the lease")
        let leader = try #require(holders.first), other = try #require(replicas.first { $0.port != leader.port })
        let audit = try await PostgresStorage(location, competing: false, logger: .init(label: "replicas-test"))
        try await eventually(timeout: .seconds(120), "the create audited") { () -> Bool? in
            try await audit.auditEntries(limit: 1000, cluster: nil, connector: nil).contains { $0.action == "gitops-create" && $0.connector == first } ? true : nil
        }

        // Kill the leader; the other takes over and applies the next commit.
        leader.daemon.kill9()
        let killed = ContinuousClock.now
        try await eventually(timeout: .seconds(60), "the other replica to take the lease") { () -> Bool? in
            other.daemon.logTail(400).contains { $0.contains("This replica runs the controllers") } ? true : nil
        }
        #expect(ContinuousClock.now - killed < .seconds(30), "within a few lease periods")
        try live.fileSink("second", topic: "\(live.team)-second", cluster: "gitops")
        let secondCommit = try await remote.commitAndPush("A second sink")
        let second = "\(live.team)_second"
        try await eventually(timeout: .seconds(180), "\(second) created by the survivor") { try await auto.connectors()[second] != nil ? true : nil }
        try await eventually(timeout: .seconds(120), "the second create audited") { () -> Bool? in
            try await audit.auditEntries(limit: 1000, cluster: nil, connector: nil).contains { $0.action == "gitops-create" && $0.connector == second } ? true : nil
        }
        #expect(try await Self.get(port: other.port, "/api/v1/me", cookie: cookie).0 == 200, "the session outlives the replica that started it")

        let entries = try await audit.auditEntries(limit: 1000, cluster: nil, connector: nil)
        for (connector, commit) in [(first, firstCommit), (second, secondCommit)] {
            let creates = entries.filter { $0.action == "gitops-create" && $0.connector == connector }
            #expect(creates.count == 1 && creates[0].detail?.contains(String(commit.prefix(10))) == true, "\(connector): \(creates)")
        }
        #expect(entries.filter { $0.action == "gitops-load" }.count <= 2, "loads are audited by the replica that runs the controller only")
        try await auto.delete(first)
        try await auto.delete(second)
    }

    static func signIn(port: Int) async throws -> String {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "username=alice&password=pw&next=/"))
        // Not the shared client: it follows the redirect and the cookie with it.
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = client.shutdown() }
        let response = try await client.execute(request, timeout: .seconds(30))
        let cookie = try #require(response.headers["Set-Cookie"].first, "sign-in answered \(response.status)")
        return String(cookie.prefix { $0 != ";" })
    }

    static func get(port: Int, _ path: String, cookie: String) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.headers.add(name: "Cookie", value: cookie)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }
}
