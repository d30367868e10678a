import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import ServerTesting
import SwitchboardAPI
import SwitchboardControllers
@testable import SwitchboardStorage
@testable import SwitchboardWeb
import Testing

/// Pages and API routes through the router, over a seeded snapshot.
@Suite struct RouterTests {
    static let scriptValue = "<script>alert('owned')</script>"
    static let literalSecret = "hunter2-literal-never-shown"

    func fixture() throws -> ServerFixture {
        try ServerFixture(connectors: ServerFixture.snapshot(
            ServerFixture.connector("payments_orders", config: ["topics": "orders", "note": Self.scriptValue, "db.password": Self.literalSecret]),
            ServerFixture.connector("payments_broken", state: "FAILED", tasks: ["FAILED"], trace: "org.Bad: cannot connect with password \(Self.literalSecret)"),
            ServerFixture.connector("analytics_events", tasks: ["RUNNING", "FAILED"]),
            ServerFixture.connector("legacy-export", state: "PAUSED")
        ))
    }

    @Test func anonymousReadersAreSentToSignInAndTheAPIAnswers401() async throws {
        try await fixture().app.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login?next=%2F")
            }
            let (status, body) = try await client.page("/api/v1/connectors", cookie: nil)
            #expect(status == .unauthorized)
            #expect(body.contains("not signed in"))
            let (wrong, page) = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "username=alice&password=nope")) { ($0.status, String(buffer: $0.body)) }
            #expect(wrong == .unauthorized)
            #expect(page.contains("Unknown user or wrong password."))
        }
    }

    @Test func everyPageAndAPIRouteRendersForASignedInUser() async throws {
        try await fixture().app.test(.router) { client in
            let cookie = try await client.signIn("carol")
            for uri in ["/", "/?team=payments&state=FAILED", "/clusters/ingest", "/teams/payments", "/teams/nobody", "/clusters/ingest/connectors/payments_orders", "/audit",
                        "/api/v1/me", "/api/v1/connectors", "/api/v1/connectors?state=DEGRADED", "/api/v1/clusters", "/api/v1/clusters/ingest",
                        "/api/v1/clusters/ingest/connectors/payments_orders", "/api/v1/teams", "/api/v1/teams/payments", "/api/v1/audit", "/api/openapi.json", "/healthz", "/assets/switchboard.css"] {
                let (status, body) = try await client.page(uri, cookie: cookie)
                #expect(status == .ok, "\(uri): \(status)")
                #expect(!body.isEmpty, "\(uri)")
            }
            for uri in ["/clusters/mars", "/clusters/ingest/connectors/nope", "/api/v1/clusters/mars", "/api/v1/clusters/ingest/connectors/nope", "/api/v1/teams/nobody"] {
                #expect(try await client.page(uri, cookie: cookie).0 == .notFound, "\(uri)")
            }
        }
    }

    @Test func failedAndDegradedConnectorsComeFirstAndFiltersWork() async throws {
        try await fixture().app.test(.router) { client in
            let cookie = try await client.signIn("carol")
            let (_, json) = try await client.page("/api/v1/connectors", cookie: cookie)
            let list = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
            let names = (list["connectors"] as! [[String: Any]]).map { $0["name"] as! String }
            #expect(names.first == "payments_broken")
            #expect(names[1] == "analytics_events")
            #expect((list["counts"] as! [String: Int])["degraded"] == 1)
            let (_, filtered) = try await client.page("/api/v1/connectors?team=payments&state=RUNNING", cookie: cookie)
            #expect(filtered.contains("payments_orders") && !filtered.contains("payments_broken") && !filtered.contains("analytics_events"))
            let (_, html) = try await client.page("/?state=PAUSED", cookie: cookie)
            #expect(html.contains("legacy-export") && !html.contains(">payments_orders<"))
            #expect(html.contains("unmanaged"))
        }
    }

    @Test func userDataIsEscapedAndSecretsNeverAppear() async throws {
        try await fixture().app.test(.router) { client in
            let cookie = try await client.signIn("pat")
            for uri in ["/", "/clusters/ingest/connectors/payments_orders", "/clusters/ingest/connectors/payments_broken", "/teams/payments", "/clusters/ingest",
                        "/api/v1/connectors", "/api/v1/clusters/ingest/connectors/payments_orders", "/api/v1/clusters/ingest/connectors/payments_broken", "/api/v1/teams/payments"] {
                let (_, body) = try await client.page(uri, cookie: cookie)
                #expect(!body.contains(Self.literalSecret), "\(uri) shows a secret")
                if !uri.hasPrefix("/api/") {
                    #expect(!body.contains("<script>"), "\(uri) has an unescaped script")
                }
            }
            let (_, page) = try await client.page("/clusters/ingest/connectors/payments_orders", cookie: cookie)
            #expect(page.contains("&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;"))
            #expect(page.contains("(secret)"))
            let (_, broken) = try await client.page("/clusters/ingest/connectors/payments_broken", cookie: cookie)
            #expect(broken.contains("cannot connect with password (secret)"), "traces are scrubbed of secret values")
        }
    }

    @Test func securityHeadersOnEveryResponse() async throws {
        try await fixture().app.test(.router) { client in
            for uri in ["/", "/login", "/api/v1/connectors", "/healthz"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true, "\(uri)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                    #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                }
            }
        }
    }

    /// Readiness fails from the first moment of a stop; liveness stays (the process is alive).
    @Test func readinessFailsOnceTheServerStops() async throws {
        let fixture = try fixture()
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            fixture.dependencies.lifecycle.beginStop()
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("stopping"))
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func actionsNeedTheCSRFTokenAndAreRefusedCrossSite() async throws {
        let fixture = try fixture()
        try await fixture.app.test(.router) { client in
            let cookie = try await client.signIn("alice")
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: cookie]
            let (status, _) = try await client.execute(uri: "/clusters/ingest/connectors/payments_orders/actions/pause", method: .post, headers: form, body: ByteBuffer(string: "csrf=forged")) { ($0.status, 0) }
            #expect(status == .forbidden)
            var api: HTTPFields = [.cookie: cookie]
            api[HTTPField.Name("X-CSRF-Token")!] = try await client.csrf(cookie: cookie)
            api[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
            let (crossSite, _) = try await client.execute(uri: "/api/v1/clusters/ingest/connectors/payments_orders/actions/pause", method: .post, headers: api) { ($0.status, 0) }
            #expect(crossSite == .forbidden)
        }
        #expect(try await fixture.dependencies.audit.recent().isEmpty, "nothing was attempted")
    }

    @Test func aMemberOfAnotherTeamIsRefusedAndAudited() async throws {
        let fixture = try fixture()
        try await fixture.app.test(.router) { client in
            let cookie = try await client.signIn("carol")
            var headers: HTTPFields = [.cookie: cookie]
            headers[HTTPField.Name("X-CSRF-Token")!] = try await client.csrf(cookie: cookie)
            let (status, body) = try await client.execute(uri: "/api/v1/clusters/ingest/connectors/payments_orders/actions/stop", method: .post, headers: headers) { ($0.status, String(buffer: $0.body)) }
            #expect(status == .forbidden)
            #expect(body.contains("needs the role operator or higher (has reader)"), "\(body)")
            let (page, _) = try await client.execute(uri: "/clusters/ingest/connectors/payments_orders/actions/pause", method: .post,
                                                     headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie],
                                                     body: ByteBuffer(string: "csrf=\(try await client.csrf(cookie: cookie))")) { ($0.status, 0) }
            #expect(page == .forbidden)
            // The connector page does not offer carol the buttons.
            let (_, html) = try await client.page("/clusters/ingest/connectors/payments_orders", cookie: cookie)
            #expect(!html.contains("actions/pause"))
        }
        let entries = try await fixture.dependencies.audit.recent()
        #expect(entries.count == 2)
        #expect(entries.allSatisfy { $0.user == "carol" && $0.outcome == .denied && $0.connector == "payments_orders" })
        #expect(Set(entries.map(\.action)) == ["stop", "pause"])
    }

    @Test func anAnonymousActionIsRefusedAndAudited() async throws {
        let fixture = try fixture()
        try await fixture.app.test(.router) { client in
            let (status, _) = try await client.execute(uri: "/api/v1/clusters/ingest/connectors/payments_orders/actions/restart", method: .post) { ($0.status, 0) }
            #expect(status == .unauthorized)
        }
        let entry = try #require(try await fixture.dependencies.audit.recent().first)
        #expect(entry.user == "anonymous" && entry.outcome == .denied)
    }

    @Test func anUnreachableClusterKeepsItsLastSnapshotWithABanner() async throws {
        let fixture = try fixture()
        await fixture.dependencies.store.refresh()  // the cluster URL is a closed port
        let snapshot = fixture.dependencies.store.current
        #expect(snapshot.connectors.count == 4, "the last good picture stays")
        #expect(snapshot.clusters["ingest"]?.isReachable == false)
        try await fixture.app.test(.router) { client in
            let cookie = try await client.signIn("pat")
            let (status, html) = try await client.page("/", cookie: cookie)
            #expect(status == .ok)
            #expect(html.contains("Cluster <strong>ingest</strong> is unreachable; showing its state as of"))
            #expect(html.contains("payments_orders"))
            let (_, json) = try await client.page("/api/v1/clusters/ingest", cookie: cookie)
            #expect(json.contains("\"reachable\":false"))
        }
    }

    /// Every API route the router registers is described, and every described operation is
    /// served: the two lists are the same, method by method.
    @Test func theOpenAPIDocumentDescribesEveryAPIRouteAndOnlyThose() async throws {
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(ServerFixture.connector("payments_orders")))
        let served = Set(buildRouter(fixture.dependencies).routes.map { route -> String in
            let path = "\(route.path)"
            return "\(route.method.rawValue) \(path.hasPrefix("/") ? path : "/" + path)"
        }.filter { $0.contains(" /api/") })
        let body = try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/api/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                return Data(buffer: response.body)
            }
        }
        let document = try #require(JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let described = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
        #expect(served.count >= 11)
        #expect(served.subtracting(described).isEmpty, "served but not described: \(served.subtracting(described).sorted())")
        #expect(described.subtracting(served).isEmpty, "described but not served: \(described.subtracting(served).sorted())")
        // Every reference points at a component that exists.
        let text = String(decoding: body, as: UTF8.self)
        let components = try #require(document["components"] as? [String: [String: Any]])
        for match in text.matches(of: /"#\/components\/(\w+)\/(\w+)"/) {
            #expect(components[String(match.1)]?[String(match.2)] != nil, "\(match.0)")
        }
    }
}

/// Trusted proxy headers need a real socket: the peer's address decides whether they count.
@Suite struct ProxyHeaderTests {
    func status(trusting proxies: [String], user: String) async throws -> (HTTPResponse.Status, String) {
        let auth = AuthSettings(proxy: .init(trustedProxies: proxies.compactMap(AddressRange.init)))
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(ServerFixture.connector("payments_orders")), auth: auth)
        return try await fixture.app.test(.live) { client in
            var headers: HTTPFields = [:]
            headers[HTTPField.Name("X-Forwarded-User")!] = user
            headers[HTTPField.Name("X-Forwarded-Groups")!] = "payments-eng, other"
            return try await client.execute(uri: "/api/v1/me", method: .get, headers: headers) { ($0.status, String(buffer: $0.body)) }
        }
    }

    @Test func headersFromATrustedProxyNameTheUser() async throws {
        let (status, body) = try await status(trusting: ["127.0.0.0/8"], user: "alice")
        #expect(status == .ok)
        #expect(body.contains("\"name\":\"alice\"") && body.contains("payments-eng") && body.contains("\"teams\":[\"payments\"]"))
    }

    @Test func headersFromAnywhereElseAreIgnored() async throws {
        #expect(try await status(trusting: ["10.0.0.0/8"], user: "pat").0 == .unauthorized)
    }

    @Test func addressRanges() {
        #expect(AddressRange("10.0.0.0/8")!.contains("10.20.30.40"))
        #expect(!AddressRange("10.0.0.0/8")!.contains("11.0.0.1"))
        #expect(AddressRange("127.0.0.1")!.contains("127.0.0.1"))
        #expect(!AddressRange("127.0.0.1")!.contains("127.0.0.2"))
        #expect(AddressRange("::1")!.contains("::1"))
        #expect(AddressRange("10.0.0.0/33") == nil)
        #expect(AddressRange("not-an-ip") == nil)
    }
}

@Suite struct TokenTests {
    @Test func csrfTokensBelongToOneSessionAndCannotBeForged() {
        let tokens = Tokens(secret: .init(size: .bits256))
        let token = tokens.csrf(forSession: "session-a")
        #expect(tokens.verifyCSRF(token, forSession: "session-a"))
        #expect(!tokens.verifyCSRF(token, forSession: "session-b"))
        #expect(!Tokens(secret: .init(size: .bits256)).verifyCSRF(token, forSession: "session-a"), "another server secret")
        for forged in ["", "x", String(token.dropLast()), token + "A", "%%%", String(repeating: "A", count: 43), String(repeating: "-", count: 5000)] {
            #expect(!tokens.verifyCSRF(forged, forSession: "session-a"), "\(forged.prefix(20))")
        }
        #expect(!tokens.verifyCSRF(token, forSession: nil))
        #expect(!tokens.verifyCSRF(nil, forSession: "session-a"))
    }

    @Test func sessionsExpireIdleOrOldAndEndWhenSignedOut() {
        let store = SessionStore(lifetime: 100, idleTimeout: 30)
        let start = Date()
        let session = store.create(user: "alice", source: .local, now: start)
        #expect(session.id.count >= 43, "256 random bits")
        #expect(store.session(id: session.id, now: start.addingTimeInterval(20))?.user == "alice")
        #expect(store.session(id: session.id, now: start.addingTimeInterval(40))?.user == "alice", "used 20 s before: still live")
        #expect(store.session(id: session.id, now: start.addingTimeInterval(80)) == nil, "idle for 40 s")
        let other = store.create(user: "alice", source: .local, now: start)
        #expect(store.session(id: other.id, now: start.addingTimeInterval(25)) != nil)
        #expect(store.session(id: other.id, now: start.addingTimeInterval(50)) != nil)
        #expect(store.session(id: other.id, now: start.addingTimeInterval(75)) != nil)
        #expect(store.session(id: other.id, now: start.addingTimeInterval(101)) == nil, "older than its lifetime")
        let third = store.create(user: "alice", source: .local)
        store.end(id: third.id)
        #expect(store.session(id: third.id) == nil)
        #expect(store.session(id: "made-up") == nil)
    }

    @Test func sessionMemoryIsBoundedPerUserAndInAll() {
        let store = SessionStore(capacity: 50, perUserLimit: 3)
        let keep = store.create(user: "pat", source: .local)
        let first = store.create(user: "script", source: .proxy)
        for _ in 0..<100 { _ = store.create(user: "script", source: .proxy) }
        #expect(store.session(id: first.id) == nil, "a user's oldest session makes room for its newest")
        #expect(store.session(id: keep.id) != nil, "another user's session is untouched")
        for index in 0..<200 { _ = store.create(user: "user\(index)", source: .proxy) }
        #expect(store.count <= 50)
    }

    @Test func signInThrottleCountsPerUserAndPerAddress() {
        let throttle = SignInThrottle(window: 60, maxFailuresPerUser: 3, maxFailuresPerAddress: 5)
        let now = Date()
        for _ in 0..<3 { throttle.recordFailure(user: "alice", address: "10.0.0.1", now: now) }
        #expect(throttle.retryAfter(user: "alice", address: "10.0.0.9", now: now) != nil, "per user, from any address")
        #expect(throttle.retryAfter(user: "ALICE", address: "10.0.0.9", now: now) != nil, "names are compared without case")
        #expect(throttle.retryAfter(user: "carol", address: "10.0.0.2", now: now) == nil)
        #expect(throttle.retryAfter(user: "alice", address: nil, now: now.addingTimeInterval(61)) == nil, "the window passes")
        for index in 0..<5 { throttle.recordFailure(user: "guess\(index)", address: "10.0.0.3", now: now) }
        #expect(throttle.retryAfter(user: "carol", address: "10.0.0.3", now: now) != nil, "per address, for any name")
        throttle.recordSuccess(user: "alice")
        #expect(throttle.retryAfter(user: "alice", address: "10.0.0.9", now: now) == nil)
    }

    @Test func htmlEscapesTextButNotMarkup() {
        let name = "<b>&\"'"
        let inner: HTML = "<i>\(name)</i>"
        let page: HTML = "<p title=\"\(name)\">\(inner)</p>"
        #expect(page.markup == "<p title=\"&lt;b&gt;&amp;&quot;&#39;\"><i>&lt;b&gt;&amp;&quot;&#39;</i></p>")
    }
}

/// A team page's recent actions come from the audit log's team column: entries get their
/// connector's team when recorded, and rows from before the column get theirs from the keeper.
@Suite struct TeamAuditTests {
    @Test func aTeamPageListsItsTeamsActionsIncludingOnesFromBeforeTheColumn() async throws {
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(ServerFixture.connector("payments_orders"), ServerFixture.connector("analytics_events")))
        let audit = fixture.dependencies.audit
        // As written before the column: no team.
        try await audit.storage.insertAudit(batch: [AuditEntry(at: Date(timeIntervalSinceNow: -60), user: "oldtimer", action: "pause", cluster: "ingest",
                                                               connector: "payments_orders", outcome: .succeeded)])
        try await audit.record(AuditEntry(user: "alice", action: "restart", cluster: "ingest", connector: "payments_orders", outcome: .succeeded))
        try await audit.record(AuditEntry(user: "carol", action: "restart", cluster: "ingest", connector: "analytics_events", outcome: .succeeded))
        #expect(try await audit.recent(team: "payments").map(\.user) == ["alice"], "the team comes from the snapshot when recorded")

        let keeper = AuditKeeper(store: fixture.dependencies.store, audit: audit, retention: nil, logger: fixture.dependencies.logger)
        #expect(await keeper.fillTeams())
        #expect(try await audit.recent(team: "payments").map(\.user) == ["alice", "oldtimer"])

        try await fixture.app.test(.router) { client in
            let cookie = try await client.signIn("pat")
            let (status, page) = try await client.page("/teams/payments", cookie: cookie)
            #expect(status == .ok)
            #expect(page.contains("alice") && page.contains("oldtimer") && !page.contains("carol"), "\(page.suffix(800))")
        }
    }
}

/// Why it failed, in one line, wherever a failure is named, for those who may read its trace:
/// the overview, team page, API list and detail show the innermost cause to readers and up, and
/// nothing of it to a viewer.
@Suite struct FailureCauseRoutesTests {
    static let trace = "org.apache.kafka.connect.errors.ConnectException: task failed\n\tat x.Y(Y.java:1)\nCaused by: java.io.IOException: disk full on db-host-9\n\tat z.W(W.java:2)"

    @Test func readersSeeTheCauseAndViewersDoNot() async throws {
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(
            ServerFixture.connector("payments_broken", state: "RUNNING", tasks: ["FAILED"], trace: Self.trace),
            ServerFixture.connector("payments_fine")
        ), access: "  signedIn: viewer\n")
        let cause = "java.io.IOException: disk full on db-host-9"
        try await fixture.app.test(.router) { client in
            for (user, sees) in [("pat", true), ("alice", true), ("rita", true), ("vic", false)] {
                let cookie = try await client.signIn(user)
                for uri in ["/", "/teams/payments", "/api/v1/connectors", "/api/v1/teams/payments", "/clusters/ingest/connectors/payments_broken",
                            "/api/v1/clusters/ingest/connectors/payments_broken", "/clusters/ingest"] {
                    let (status, body) = try await client.page(uri, cookie: cookie)
                    #expect(status == .ok, "\(user) \(uri)")
                    #expect(body.contains(cause) == sees, "\(user) \(uri): the cause \(sees ? "shown" : "hidden")")
                }
                let (_, list) = try await client.page("/api/v1/connectors?q=broken", cookie: cookie)
                #expect(list.contains("\"health\":\"FAILED\""), "\(user): the failure itself is always named")
            }
        }
    }
}
