import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServerTesting
import SwitchboardCore
import TestSupport
import Testing

/// Roles through the pages and the API: what each role sees, which buttons it gets, and that
/// every action is allowed or refused (403, audited) the same way through both. Connect is a
/// fake that accepts every action and answers reads with the fixture's connectors; the real
/// stack's matrix is in IntegrationTests.
@Suite struct AccessRoutesTests {
    static let secret = "hunter2-literal"

    static let connectors = ServerFixture.snapshot(
        ServerFixture.connector("payments_orders", state: "FAILED", tasks: ["FAILED"], config: ["topics": "orders", "db.password": secret, "visible.key": "plain-config-value"],
                                trace: "org.Bad: cannot reach the database at db-host-42"))

    /// Everyone signed in is a viewer; sam operates payments, rita reads it, alice owns it.
    func fixture(_ connect: FaultServer, access: String = "  signedIn: viewer\n") throws -> ServerFixture {
        try ServerFixture(connectors: Self.connectors, clusterURL: connect.url, access: access)
    }

    /// A Connect that accepts every action (204) and lists the fixture's connectors.
    func fakeConnect() async throws -> FaultServer {
        try await FaultServer.start(.scripted { request in
            request.method == "GET" ? .init(body: request.uri.hasPrefix("/connectors?") ? Self.connectors : "{}") : .init(status: 204, body: "")
        })
    }

    /// user -> role on payments_orders.
    static let roles: [(String, Role)] = [("vic", .viewer), ("carol", .viewer), ("rita", .reader), ("sam", .operator), ("alice", .owner), ("pat", .admin)]

    @Test func eachRoleSeesWhatItMay() async throws {
        let connect = try await fakeConnect()
        defer { Task { await connect.stop() } }
        let fixture = try fixture(connect)
        try await fixture.app.test(.router) { client in
            for (user, role) in Self.roles {
                let cookie = try await client.signIn(user)
                let (_, page) = try await client.page("/clusters/ingest/connectors/payments_orders", cookie: cookie)
                let (_, api) = try await client.page("/api/v1/clusters/ingest/connectors/payments_orders", cookie: cookie)
                let detail = try JSONSerialization.jsonObject(with: Data(api.utf8)) as! [String: Any]
                #expect(detail["role"] as? String == role.rawValue, "\(user)")
                let seesConfig = role >= .reader
                for (name, text) in [("page", page), ("api", api)] {
                    #expect(text.contains("plain-config-value") == seesConfig, "\(user) \(name): config")
                    #expect(text.contains("db-host-42") == seesConfig, "\(user) \(name): trace")
                    #expect(!text.contains(Self.secret), "\(user) \(name): secret")
                    #expect(text.contains("FAILED"), "\(user) \(name): the state is always shown")
                }
                #expect(page.contains("actions/restart") == (role >= .operator), "\(user): buttons")
                #expect(page.contains("tasks/0/restart") == (role >= .operator), "\(user): task button")
                if !seesConfig { #expect(page.contains("shows states only"), "\(user)") }
                let capabilities = detail["capabilities"] as? [String] ?? []
                #expect(capabilities.contains("operate") == (role >= .operator) && (detail["canAct"] as? Bool) == (role >= .operator), "\(user)")
                #expect(capabilities.contains("change-offsets") == (role >= .owner), "\(user)")
            }
            let (_, me) = try await client.page("/api/v1/me", cookie: try await client.signIn("sam"))
            #expect(me.contains(#""roles":{"payments":"operator"}"#), "\(me)")
        }
    }

    @Test func everyRoleTimesEveryActionThroughPageAndAPI() async throws {
        let connect = try await fakeConnect()
        defer { Task { await connect.stop() } }
        let fixture = try fixture(connect)
        let actions: [(label: String, api: String, page: String)] = [
            ("restart", "actions/restart", "actions/restart"), ("pause", "actions/pause", "actions/pause"), ("resume", "actions/resume", "actions/resume"),
            ("stop", "actions/stop", "actions/stop"), ("restart-task", "tasks/0/restart", "tasks/0/restart"),
        ]
        let expected = Self.roles.flatMap { user, role in
            actions.flatMap { action in Array(repeating: "\(user) \(action.label) \(role >= .operator ? "succeeded" : "denied")", count: 2) }
        }
        try await fixture.app.test(.router) { client in
            for (user, role) in Self.roles {
                let cookie = try await client.signIn(user)
                let csrf = try await client.csrf(cookie: cookie)
                let allowed = role >= .operator
                for action in actions {
                    var headers: HTTPFields = [.cookie: cookie]
                    headers[HTTPField.Name("X-CSRF-Token")!] = csrf
                    let (api, body) = try await client.execute(uri: "/api/v1/clusters/ingest/connectors/payments_orders/\(action.api)", method: .post, headers: headers) {
                        ($0.status, String(buffer: $0.body))
                    }
                    #expect(api == (allowed ? .ok : .forbidden), "\(user) \(action.label) via the API: \(api) \(body)")
                    if !allowed { #expect(body.contains("needs the role operator or higher (has \(role.rawValue))"), "\(body)") }
                    let (page, html) = try await client.execute(uri: "/clusters/ingest/connectors/payments_orders/\(action.page)", method: .post,
                                                                headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "csrf=\(csrf)")) {
                        ($0.status, String(buffer: $0.body))
                    }
                    #expect(page == (allowed ? .seeOther : .forbidden), "\(user) \(action.label) via the page: \(page)")
                    if !allowed { #expect(html.contains("recorded in the audit log")) }
                }
            }
        }
        let rows = try await fixture.dependencies.audit.recent(limit: 1000).reversed().map { "\($0.user) \($0.action) \($0.outcome.rawValue)" }
        #expect(rows == expected)
    }

    @Test func aClusterCanRaiseWhatActingNeeds() async throws {
        let connect = try await fakeConnect()
        defer { Task { await connect.stop() } }
        let fixture = try fixture(connect, access: "  operate: owner\n")
        try await fixture.app.test(.router) { client in
            let cookie = try await client.signIn("sam")
            var headers: HTTPFields = [.cookie: cookie]
            headers[HTTPField.Name("X-CSRF-Token")!] = try await client.csrf(cookie: cookie)
            let (status, body) = try await client.execute(uri: "/api/v1/clusters/ingest/connectors/payments_orders/actions/pause", method: .post, headers: headers) { ($0.status, String(buffer: $0.body)) }
            #expect(status == .forbidden)
            #expect(body.contains("needs the role owner or higher (has operator)"))
            let (_, page) = try await client.page("/clusters/ingest/connectors/payments_orders", cookie: cookie)
            #expect(!page.contains("actions/pause") && page.contains("needs owner"))
        }
    }
}
