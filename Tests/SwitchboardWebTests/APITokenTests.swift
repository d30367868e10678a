import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServerTesting
@testable import SwitchboardAPI
import SwitchboardCore
@testable import SwitchboardWeb
import TestSupport
import Testing

/// Personal API tokens: made only by a signed-in user, shown once, kept hashed, refused once
/// revoked, expired or orphaned, and good for exactly the user's role.
@Suite struct APITokenTests {
    func fixture(connect: String = "http://127.0.0.1:1") throws -> ServerFixture {
        try ServerFixture(connectors: ServerFixture.snapshot(ServerFixture.connector("payments_orders")), clusterURL: connect, access: "  signedIn: viewer\n")
    }

    func make(_ client: some TestClientProtocol, user: String, body: String = #"{"name":"laptop","days":7}"#) async throws -> (HTTPResponse.Status, String) {
        let cookie = try await client.signIn(user)
        var headers: HTTPFields = [.cookie: cookie, .contentType: "application/json"]
        headers[HTTPField.Name("X-CSRF-Token")!] = try await client.csrf(cookie: cookie)
        return try await client.execute(uri: "/api/v1/tokens", method: .post, headers: headers, body: ByteBuffer(string: body)) { ($0.status, String(buffer: $0.body)) }
    }

    func bearer(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer \(token)"]) { ($0.status, String(buffer: $0.body)) }
    }

    static func token(in body: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["token"] as? String  // not the answer's shape: the test says so
    }

    @Test func aTokenActsAsItsUserWithoutCSRFAndIsKeptOnlyAsAHash() async throws {
        let listing = ServerFixture.snapshot(ServerFixture.connector("payments_orders"))
        let connect = try await FaultServer.start(.scripted { request in request.method == "GET" ? .init(body: listing) : .init(status: 204, body: "") })
        defer { Task { await connect.stop() } }
        let fixture = try fixture(connect: connect.url)
        try await fixture.app.test(.router) { client in
            let (status, body) = try await make(client, user: "sam")
            #expect(status == .created, "\(body)")
            let token = try #require(Self.token(in: body))
            #expect(token.hasPrefix("sbt_") && token.count > 40)
            // sam is an operator of payments: may pause, may not reset offsets, and needs no CSRF token.
            #expect(try await bearer(client, .post, "/api/v1/clusters/ingest/connectors/payments_orders/actions/pause", token: token).0 == .ok, "allowed")
            let (refused, why) = try await bearer(client, .delete, "/api/v1/clusters/ingest/connectors/payments_orders/offsets", token: token)
            #expect(refused == .forbidden && why.contains("has operator"))
            let (me, meBody) = try await bearer(client, .get, "/api/v1/me", token: token)
            #expect(me == .ok && meBody.contains(#""name":"sam""#) && meBody.contains(#""source":"token""#))
            // A token cannot make another; pages do not take tokens.
            var headers: HTTPFields = [.authorization: "Bearer \(token)"]
            headers[.contentType] = "application/json"
            #expect(try await client.execute(uri: "/api/v1/tokens", method: .post, headers: headers, body: ByteBuffer(string: #"{"name":"x"}"#)) { $0.status } == .forbidden)
            #expect(try await client.execute(uri: "/", method: .get, headers: [.authorization: "Bearer \(token)"]) { $0.status } == .seeOther, "a page sends a token user to sign in")
            // The list shows it without the token or its hash.
            let (_, list) = try await bearer(client, .get, "/api/v1/tokens", token: token)
            #expect(list.contains("laptop") && !list.contains(token) && !list.contains(APITokens.hash(token)))
        }
        // At rest: the hash, never the token.
        let stored = try await fixture.dependencies.audit.storage.tokens(user: "sam").map { $0.hash + $0.groups + $0.name }
        #expect(stored.count == 1 && stored.allSatisfy { !$0.contains("sbt_") })
        let rows = try await fixture.dependencies.audit.recent()
        #expect(rows.contains { $0.user == "sam" && $0.action == "create-token" })
        #expect(rows.contains { $0.user == "sam" && $0.action == "pause" && $0.outcome == .succeeded })
        #expect(rows.contains { $0.user == "sam" && $0.action == "reset-offsets" && $0.outcome == .denied })
    }

    @Test func revokedExpiredUnknownAndMalformedTokensAre401() async throws {
        let fixture = try fixture()
        let tokens = fixture.dependencies.apiTokens
        let alice = try #require(ServerFixture.users.user(named: "alice"))
        let (expired, _) = try await tokens.create(for: alice, name: "old", days: 1, now: Date().addingTimeInterval(-2 * 86_400))
        let (revoked, record) = try await tokens.create(for: alice, name: "gone", days: 30)
        #expect(try await tokens.revoke(id: try #require(record.id), of: "alice"))
        #expect(try await !tokens.revoke(id: try #require(record.id), of: "carol"), "only one's own")
        try await fixture.app.test(.router) { client in
            for token in [expired, revoked, "sbt_made-up", "not-even-a-token", String(repeating: "x", count: 5000)] {
                let (status, body) = try await bearer(client, .get, "/api/v1/connectors", token: token)
                #expect(status == .unauthorized, "\(token.prefix(20))")
                #expect(body.contains("unknown, expired or revoked"))
            }
            let basic = try await client.execute(uri: "/api/v1/connectors", method: .get, headers: [.authorization: "Basic YWxpY2U6cHc="]) { ($0.status, String(buffer: $0.body)) }
            #expect(basic.0 == .unauthorized && basic.1.contains("Bearer"))
        }
    }

    @Test func aLocalUserTakenOutOfTheUsersFileLosesTheirTokensAndGroupsAreReadAfresh() async throws {
        let fixture = try fixture()
        let (token, _) = try await fixture.dependencies.apiTokens.create(for: User(name: "ghost", groups: ["platform"], source: .local), name: "t", days: 30)
        guard case .failure = await fixture.dependencies.apiTokens.authenticate(token) else {
            Issue.record("a token of a user who is not in the users file was accepted")
            return
        }
        // sam's token made while in group sre; the users file is what counts at each use.
        let sam = try #require(ServerFixture.users.user(named: "sam"))
        let (samToken, _) = try await fixture.dependencies.apiTokens.create(for: User(name: "sam", groups: ["platform"], source: .local), name: "t", days: 30)
        #expect(try await fixture.dependencies.apiTokens.authenticate(samToken).get().groups == sam.groups)
    }

    @Test func aTokenNameHoldingASecretIsStoredScrubbed() async throws {
        let fixture = try fixture()
        try await fixture.app.test(.router) { client in
            let (status, body) = try await make(client, user: "alice", body: #"{"name":"ci password=Planted-77x","days":7}"#)
            #expect(status == .created && !body.contains("Planted-77x"), "\(body)")
            let (_, page) = try await client.page("/tokens", cookie: try await client.signIn("alice"))
            #expect(page.contains("ci password=") && !page.contains("Planted-77x"))
        }
        #expect(try await !fixture.dependencies.apiTokens.list(for: "alice").contains { $0.name.contains("Planted-77x") })
        #expect(try await !fixture.dependencies.audit.recent().contains { ($0.detail ?? "").contains("Planted-77x") })
    }

    @Test(arguments: [#"{"name":"","days":7}"#, #"{"name":"x","days":0}"#, #"{"name":"x","days":400}"#, #"{"nom":"x"}"#, "not json"])
    func badTokenRequestsAre400AndMakeNothing(_ body: String) async throws {
        let fixture = try fixture()
        try await fixture.app.test(.router) { client in
            let (status, _) = try await make(client, user: "alice", body: body)
            #expect(status == .badRequest)
        }
        #expect(try await fixture.dependencies.apiTokens.list(for: "alice").isEmpty)
    }

    @Test func theTokensPageShowsANewTokenOnceAndRevokes() async throws {
        let fixture = try fixture()
        try await fixture.app.test(.router) { client in
            let cookie = try await client.signIn("alice")
            let csrf = try await client.csrf(cookie: cookie)
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            let (status, page) = try await client.execute(uri: "/tokens", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)&name=laptop&days=30")) { ($0.status, String(buffer: $0.body)) }
            #expect(status == .ok && page.contains("shown this once"))
            let token = try #require(page.firstMatch(of: /sbt_[A-Za-z0-9_\-]+/).map { String($0.0) })
            let (_, again) = try await client.page("/tokens", cookie: cookie)
            #expect(again.contains("laptop") && !again.contains(token), "shown once only")
            let id = try #require(try await fixture.dependencies.apiTokens.list(for: "alice").first?.id)
            let forged = try await client.execute(uri: "/tokens/\(id)/revoke", method: .post, headers: form, body: ByteBuffer(string: "csrf=forged")) { $0.status }
            #expect(forged == .forbidden)
            let revoked = try await client.execute(uri: "/tokens/\(id)/revoke", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)")) { $0.status }
            #expect(revoked == .seeOther)
            #expect(try await bearer(client, .get, "/api/v1/me", token: token).0 == .unauthorized)
        }
    }
}
