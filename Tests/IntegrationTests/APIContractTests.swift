import ConnectClient
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import LocalStack
import ServerTesting
import StackTesting
import SwitchboardControllers
import SwitchboardCore
import SwitchboardServer
import SwitchboardWeb
import TestSupport
import Testing

/// The JSON API's answers, given by a server over the real clusters, are what its OpenAPI
/// document says: every route is called (reads, actions, refusals, errors) and each answer is
/// checked against the document the server serves, with jsonschema (scripts/check-api-answers).
@Suite("API contract against real Connect", .tags(.realStack))
struct APIContractTests {
    static let users = LocalUsers(entries: [
        .init(name: "alice", passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil),
        .init(name: "carol", passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil),
    ])

    /// One answer as the checker reads it.
    struct Answer: Encodable {
        var method: String
        var path: String
        var status: Int
        var body: JSONValue
    }

    @Test func everyRoutesAnswerMatchesTheDocument() async throws {
        // Restarts on beta one suite at a time: a task restart there takes Connect up to 20 s, and
        // a person's restart queued behind another suite's can outlast its 40 s retry budget.
        try await TestStack.shared.exclusively("beta restarts") { try await self.everyRoutesAnswerMatchesTheDocumentAlone() }
    }

    func everyRoutesAnswerMatchesTheDocumentAlone() async throws {
        try await TestStack.shared.up()
        let python = try await Prerequisites(cache: TestStack.shared.stack.configuration.cache, progress: { print("[api contract] \($0)") }).ensureAPIContractTools()
        let live = try LiveCatalog()
        try live.fileSink("orders", topic: "\(live.team)-orders", cluster: "beta")
        #expect(try await live.run("apply", "--auto-approve").status == 0)
        let name = "\(live.team)_orders"
        let dependencies = try await ServerDependencies.live(live.folder.root, users: Self.users, details: true)
        try await eventually(timeout: .seconds(60), "task 0 of \(name) in the snapshot") { () -> Bool? in
            if dependencies.store.current.connectors["beta/\(name)"]?.tasks.contains(where: { $0.id == 0 }) == true { return true }
            await dependencies.store.refresh()
            return nil
        }
        let connector = "/api/v1/clusters/beta/connectors/\(name)"
        let (document, answers) = try await Application(router: buildRouter(dependencies)).test(.router) { client -> (Data, [Answer]) in
            var answers: [Answer] = []
            let alice = try await client.signIn("alice"), carol = try await client.signIn("carol")
            func call(_ method: HTTPRequest.Method, _ uri: String, cookie: String?, json: String? = nil) async throws {
                let (status, body) = method == .get ? try await client.page(uri, cookie: cookie) : try await client.send(method, uri, cookie: cookie, json: json)
                let value = try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))
                answers.append(Answer(method: method.rawValue, path: uri, status: Int(status.code), body: value))
            }
            let document = Data(try await client.page("/api/openapi.json", cookie: nil).1.utf8)
            for uri in ["/api/v1/me", "/api/v1/connectors", "/api/v1/connectors?team=\(live.team)&limit=1&offset=0", "/api/v1/connectors?state=FAILED",
                        "/api/v1/clusters", "/api/v1/clusters/beta", "/api/v1/clusters/nowhere", connector, "/api/v1/clusters/beta/connectors/nothing-here",
                        "\(connector)/offsets", "\(connector)/history", "\(connector)/history?hours=99", "\(connector)/dead-letters", "/api/v1/lineage", "/api/v1/lineage?team=\(live.team)",
                        "/api/v1/lineage?topic=\(live.team)-orders", "/api/v1/lineage?connector=beta/\(name)", "/api/v1/teams", "/api/v1/teams/\(live.team)",
                        "/api/v1/teams/nobody", "/api/v1/audit", "/api/v1/audit?limit=5", "/api/v1/tokens", "/api/v1/gitops"] {
                try await call(.get, uri, cookie: alice)
            }
            try await call(.get, connector, cookie: carol)
            try await call(.get, "/api/v1/connectors", cookie: nil)
            try await call(.post, "\(connector)/tasks/0/restart", cookie: alice)
            try await call(.post, "\(connector)/actions/restart?includeTasks=true&onlyFailed=true", cookie: alice)
            try await call(.post, "\(connector)/actions/explode", cookie: alice)
            try await call(.post, "\(connector)/actions/pause", cookie: carol)
            try await call(.post, "\(connector)/actions/pause", cookie: nil)
            try await call(.delete, "\(connector)/offsets", cookie: alice)
            try await call(.patch, "\(connector)/offsets", cookie: alice, json: "not offsets")
            try await call(.post, "/api/v1/tokens", cookie: alice, json: #"{"name": "contract", "days": 1}"#)
            try await call(.post, "/api/v1/tokens", cookie: alice, json: #"{"days": "soon"}"#)
            let made = try #require(answers.last(where: { $0.status == 201 }))
            if case .object(let fields) = made.body, case .number(let id)? = fields["id"] {
                try await call(.delete, "/api/v1/tokens/\(Int(id))", cookie: alice)
            }
            try await call(.post, "/api/v1/gitops/clusters/beta/apply", cookie: alice)
            try await call(.get, "/api/v1/clusters/beta/loggers", cookie: carol)
            try await call(.put, "/api/v1/clusters/beta/loggers/org.apache.kafka.connect.file", cookie: alice, json: #"{"level": "DEBUG", "minutes": 1}"#)
            try await call(.put, "/api/v1/clusters/beta/loggers/org.apache.kafka.connect.file", cookie: carol, json: #"{"level": "DEBUG"}"#)
            try await call(.put, "/api/v1/clusters/beta/loggers/org.apache.kafka.connect.file", cookie: alice, json: #"{"level": "LOUD"}"#)
            return (document, answers)
        }
        #expect(Set(answers.map(\.status)).isSuperset(of: [200, 201, 400, 401, 403, 404, 409]), "\(answers.map(\.status))")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("api-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try document.write(to: folder.appendingPathComponent("openapi.json"))
        try JSONEncoder().encode(answers).write(to: folder.appendingPathComponent("answers.json"))
        let checker = TestStack.projectRoot.appendingPathComponent("scripts/check-api-answers").path
        let checked = try await ShellCommand.run(python, [checker, folder.appendingPathComponent("openapi.json").path, folder.appendingPathComponent("answers.json").path])
        print("[api contract] \(checked.output)")
        #expect(checked.status == 0, "\(checked.output)")
        #expect(checked.output.contains("checked \(answers.count) answers"))
        // The level set above goes back now, as the server's controller would put it back in a minute.
        await LogLevelRestorer(store: dependencies.store, audit: dependencies.audit, logger: dependencies.logger).restoreDue(now: Date().addingTimeInterval(120))
        try await TestStack.shared.client("beta").delete(name)
    }
}
