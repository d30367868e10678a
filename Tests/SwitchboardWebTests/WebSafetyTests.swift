import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import ServerTesting
import SwitchboardCore
import Testing

/// The web items of the trust issue, through the router: redirects only to local paths, task
/// ids checked on every route, CSRF tokens bound to a session, sign-in throttled, sign-out and
/// expiry real on the server, and the UI using the plan's words about ownership.
@Suite struct WebSafetyTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func form(_ cookie: String) -> HTTPFields {
        [.contentType: "application/x-www-form-urlencoded", .cookie: cookie]
    }

    func fixture() throws -> ServerFixture {
        try ServerFixture(connectors: ServerFixture.snapshot(
            ServerFixture.connector("payments_orders", tasks: ["RUNNING", "FAILED"]),
            ServerFixture.connector("payments_retired"),
            ServerFixture.connector("legacy-export")
        ))
    }

    func location(after next: String, _ client: some TestClientProtocol) async throws -> String? {
        let body = "username=alice&password=pw&next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        return try await client.execute(uri: "/login", method: .post, headers: Self.form, body: ByteBuffer(string: body)) { $0.headers[.location] }
    }

    @Test func afterSignInOnlyLocalPathsAreFollowed() async throws {
        try await fixture().app.test(.router) { client in
            for hostile in ["/\\evil.example", "//evil.example", "https://evil.example", "http:/evil.example", "/\\/evil.example", "\\\\evil.example",
                            "/\t/evil.example", "/%0d%0aSet-Cookie:x", "javascript:alert(1)", "evil.example", " /x", "/x y", "/é", "", "///evil.example"] {
                let location = try await location(after: hostile, client)
                #expect(location == "/", "\(hostile) -> \(location ?? "none")")
            }
            #expect(try await location(after: "/clusters/ingest?state=FAILED", client) == "/clusters/ingest?state=FAILED")
            #expect(try await location(after: "/%2F%2Fevil.example", client) == "/", "a path that decodes to //host is refused too")
            let (_, page) = try await client.page("/login?next=%2F%5Cevil.example", cookie: nil)
            #expect(page.contains("name=\"next\" value=\"/\""), "the sign-in form carries only a safe next")
        }
    }

    @Test func taskIdsAreCheckedOnEveryRoute() async throws {
        let fixture = try fixture()
        try await fixture.app.test(.router) { client in
            let cookie = try await client.signIn("alice")
            let token = try await client.csrf(cookie: cookie)
            for bad in ["abc", "-1", "1.0", "+1", "0x1", "1e3", "9999999", "%201", "1%20", "%00"] {
                let (page, _) = try await client.execute(uri: "/clusters/ingest/connectors/payments_orders/tasks/\(bad)/restart", method: .post,
                                                         headers: Self.form(cookie), body: ByteBuffer(string: "csrf=\(token)")) { ($0.status, 0) }
                #expect(page == .badRequest, "page, task \(bad)")
                var headers: HTTPFields = [.cookie: cookie]
                headers[HTTPField.Name("X-CSRF-Token")!] = token
                let (api, _) = try await client.execute(uri: "/api/v1/clusters/ingest/connectors/payments_orders/tasks/\(bad)/restart", method: .post, headers: headers) { ($0.status, 0) }
                #expect(api == .badRequest, "API, task \(bad)")
            }
            var headers: HTTPFields = [.cookie: cookie]
            headers[HTTPField.Name("X-CSRF-Token")!] = token
            let (missing, body) = try await client.execute(uri: "/api/v1/clusters/ingest/connectors/payments_orders/tasks/7/restart", method: .post, headers: headers) { ($0.status, String(buffer: $0.body)) }
            #expect(missing == .notFound, "a task the connector does not have")
            #expect(body.contains("task 7"))
        }
        let entries = try await fixture.dependencies.audit.recent()
        #expect(!entries.contains { $0.outcome == .succeeded }, "nothing reached Connect")
        #expect(!entries.contains { $0.task == 0 }, "a bad id never became task 0")
    }

    @Test func aCSRFTokenIsGoodForItsOwnSessionOnlyAndEndsWithIt() async throws {
        try await fixture().app.test(.router) { client in
            let first = try await client.signIn("alice")
            let second = try await client.signIn("alice")
            let firstToken = try await client.csrf(cookie: first)
            #expect(firstToken != (try await client.csrf(cookie: second)), "each session has its own token")
            var crossed: HTTPFields = [.cookie: second]
            crossed[HTTPField.Name("X-CSRF-Token")!] = firstToken
            let (status, _) = try await client.execute(uri: "/api/v1/clusters/ingest/connectors/payments_orders/actions/pause", method: .post, headers: crossed) { ($0.status, 0) }
            #expect(status == .forbidden, "another session's token")

            // Signing out ends the session on the server: the same cookie and token stop working.
            let (out, _) = try await client.execute(uri: "/logout", method: .post, headers: Self.form(first), body: ByteBuffer(string: "csrf=\(firstToken)")) { ($0.status, 0) }
            #expect(out == .seeOther)
            let (me, _) = try await client.page("/api/v1/me", cookie: first)
            #expect(me == .unauthorized, "a copied cookie is worthless after sign-out")
            var replay: HTTPFields = [.cookie: first]
            replay[HTTPField.Name("X-CSRF-Token")!] = firstToken
            let (again, _) = try await client.execute(uri: "/api/v1/clusters/ingest/connectors/payments_orders/actions/pause", method: .post, headers: replay) { ($0.status, 0) }
            #expect(again == .unauthorized)
            #expect(try await client.page("/api/v1/me", cookie: second).0 == .ok, "the other session lives on")
        }
    }

    @Test func anExpiredSessionSignsOut() async throws {
        let fixture = try fixture()
        try await fixture.app.test(.router) { client in
            let cookie = try await client.signIn("alice")
            let id = String(cookie.split(separator: "=", maxSplits: 1)[1])
            #expect(try await fixture.dependencies.sessions.find(id: id, now: Date()) != nil)
            #expect(try await fixture.dependencies.sessions.find(id: id, now: Date().addingTimeInterval(fixture.dependencies.sessions.lifetime + 1)) == nil)
            #expect(try await client.page("/api/v1/me", cookie: cookie).0 == .unauthorized)
        }
    }

    @Test func signInIsThrottledPerUser() async throws {
        try await fixture().app.test(.router) { client in
            for _ in 0..<5 {
                let status = try await client.execute(uri: "/login", method: .post, headers: Self.form, body: ByteBuffer(string: "username=alice&password=guess")) { $0.status }
                #expect(status == .unauthorized)
            }
            let (status, retry) = try await client.execute(uri: "/login", method: .post, headers: Self.form, body: ByteBuffer(string: "username=alice&password=pw")) { ($0.status, $0.headers[.retryAfter]) }
            #expect(status == .tooManyRequests, "even the right password waits")
            #expect(Int(retry ?? "") ?? 0 > 0)
            _ = try await client.signIn("carol")
        }
    }

    @Test func theUISaysWhatTheNextApplyDoes() async throws {
        try await fixture().app.test(.router) { client in
            let cookie = try await client.signIn("pat")
            let (_, overview) = try await client.page("/", cookie: cookie)
            #expect(overview.contains(Ownership.deletedByNextApply.phrase), "payments_retired carries a catalog team's prefix and is not in the catalog")
            #expect(overview.contains(Ownership.unmanaged.phrase))
            let (_, page) = try await client.page("/clusters/ingest/connectors/payments_retired", cookie: cookie)
            #expect(page.contains("Not in the catalog: the next apply deletes it"))
            #expect(!page.contains("(unmanaged)"))
            let (_, json) = try await client.page("/api/v1/connectors", cookie: cookie)
            #expect(json.contains("\"ownership\":\"deleted-by-next-apply\""))
            #expect(json.contains("\"ownership\":\"unmanaged\""))
        }
    }

    @Test func textEchoedFromTheRequestGoesThroughTheScrubber() async throws {
        try await fixture().app.test(.router) { client in
            let cookie = try await client.signIn("pat")
            let (status, page) = try await client.page("/clusters/ingest/connectors/password=Hunter2-echoed", cookie: cookie)
            #expect(status == .notFound)
            #expect(!page.contains("Hunter2-echoed"))
            let (apiStatus, api) = try await client.page("/api/v1/clusters/ingest/connectors/password=Hunter2-echoed", cookie: cookie)
            #expect(apiStatus == .notFound)
            #expect(!api.contains("Hunter2-echoed"))
        }
    }
}
