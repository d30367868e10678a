import Foundation
import Hummingbird
import HummingbirdTesting
import ConnectClient
import ServerTesting
import SwitchboardSnapshot
import Testing

/// The list API at company scale: 20,000 connectors are paged and filtered on the server, and no
/// answer carries more than the page asked for.
@Suite struct ListAtScaleTests {
    @Test func twentyThousandConnectorsArePagedAndFilteredOnTheServer() async throws {
        let connectors = (0..<20_000).map { index in
            ServerFixture.connector(String(format: "%@_c%05d", index % 2 == 0 ? "payments" : "analytics", index), state: index % 100 == 0 ? "PAUSED" : index % 500 == 1 ? "FAILED" : "RUNNING")
        }
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(connectors))
        try await fixture.app.test(.router) { client in
            let cookie = try await client.signIn("pat")
            func list(_ query: String) async throws -> (total: Int, names: [String], bytes: Int) {
                let (status, body) = try await client.page("/api/v1/connectors" + query, cookie: cookie)
                #expect(status == .ok, "\(query): \(status)")
                let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
                let names = (json["connectors"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                return (json["total"] as? Int ?? -1, names, body.utf8.count)
            }
            let first = try await list("")
            #expect(first.names.prefix(40).allSatisfy { Int($0.suffix(5))! % 500 == 1 }, "failed first: \(first.names.prefix(3))")
            #expect(first.total == 20_000)
            #expect(first.names.count == 100, "the default page")
            #expect(first.bytes < 200_000, "one page, not 20,000 rows: \(first.bytes) bytes")
            let second = try await list("?offset=100&limit=100")
            #expect(second.names.count == 100)
            #expect(Set(first.names).isDisjoint(with: second.names), "pages do not overlap")
            let last = try await list("?offset=19950&limit=100")
            #expect(last.names.count == 50)

            let team = try await list("?team=analytics&limit=10")
            #expect(team.total == 10_000 && team.names.count == 10 && team.names.allSatisfy { $0.hasPrefix("analytics_") })
            let paused = try await list("?state=PAUSED&team=payments")
            #expect(paused.total == 200 && paused.names.count == 100)
            let byName = try await list("?name=c1999")
            #expect(byName.total == 10 && byName.names.contains("analytics_c19999"), "\(byName.names)")
            #expect(try await client.page("/api/v1/connectors?limit=5001", cookie: cookie).0 == .badRequest, "a page has a limit")

            // The lineage page opens on a neighbourhood, not on 20,000 connectors: a team's own for
            // its members, a choice for others; the whole platform when asked for.
            let alice = try await client.signIn("alice")
            try await client.execute(uri: "/lineage", method: .get, headers: [.cookie: alice]) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/lineage?team=payments")
            }
            let (chooserStatus, chooser) = try await client.page("/lineage", cookie: cookie)
            #expect(chooserStatus == .ok && chooser.contains("20000 connectors") && !chooser.contains("<svg"), "\(chooser.prefix(300))")
            let (wholeStatus, whole) = try await client.page("/lineage?team=", cookie: cookie)
            #expect(wholeStatus == .ok && whole.contains("<svg"))
            #expect(try await client.page("/lineage?team=analytics", cookie: cookie).0 == .ok)

            // Cursors walk the whole list, each page its own rows, in either order.
            for order in ["name", "urgency"] {
                var walked: [String] = [], after: String? = nil, pages = 0
                repeat {
                    let (status, body) = try await client.page("/api/v1/connectors?order=\(order)&limit=3000" + (after.map { "&after=\($0)" } ?? ""), cookie: cookie)
                    #expect(status == .ok, "\(order) page \(pages): \(body.prefix(200))")
                    let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
                    walked += (json["connectors"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                    after = json["next"] as? String
                    pages += 1
                } while after != nil && pages < 10
                #expect(pages == 7, "\(order): 20,000 rows in pages of 3,000")
                #expect(walked.count == 20_000 && Set(walked).count == 20_000, "\(order): every connector once")
                if order == "name" { #expect(walked == walked.sorted()) }
            }
        }
    }

    /// A cursor is a place in the order, not a row number: rows removed or added before it do not
    /// make the next page repeat or skip a row. Bad cursors and mixed paging are one 400 each.
    @Test func aCursorKeepsItsPlaceWhenTheListChanges() async throws {
        let names = (0..<1_000).map { String(format: "payments_c%04d", $0) }
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(names.map { ServerFixture.connector($0) }))
        try await fixture.app.test(.router) { client in
            let cookie = try await client.signIn("pat")
            let (_, body) = try await client.page("/api/v1/connectors?order=name&limit=100", cookie: cookie)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let next = try #require(json["next"] as? String)
            #expect((json["connectors"] as? [[String: Any]])?.last?["name"] as? String == "payments_c0099")

            // The first 50 are deleted and new connectors sort before the cursor: the next page
            // still starts right after payments_c0099.
            let changed = names.dropFirst(50).map { ServerFixture.connector($0) } + (0..<30).map { ServerFixture.connector("payments_a\($0)") }
            var read = ClusterRead()
            read.connectors = try JSONDecoder().decode([String: ConnectorSnapshot].self, from: Data(ServerFixture.snapshot(changed).utf8))
            read.readAt = Date()
            try await Task.sleep(for: .milliseconds(5))
            fixture.dependencies.store.load(["ingest": read])
            let (status, page) = try await client.page("/api/v1/connectors?order=name&limit=100&after=\(next)", cookie: cookie)
            #expect(status == .ok)
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(page.utf8)) as? [String: Any])["connectors"] as? [[String: Any]]
            #expect(rows?.first?["name"] as? String == "payments_c0100")
            #expect(rows?.last?["name"] as? String == "payments_c0199")

            for (query, words) in [("after=bm90IGEgY3Vyc29y", "not a cursor"), ("after=\(next)", "order=name"), ("order=name&after=\(next)&offset=3", "not both"),
                                   ("order=sideways", "urgency or name"), ("order=name&offset=5", "with after"), ("team=a&team=b", "team is given 2 times")] {
                let (status, body) = try await client.page("/api/v1/connectors?" + query, cookie: cookie)
                #expect(status == .badRequest && body.contains(words), "\(query): \(status) \(body)")
            }
        }
    }

    /// Search by name, team, class and topic (declared in the config; the lineage knows them).
    @Test func searchFindsConnectorsByNameTeamClassAndTopic() async throws {
        let connectors = (0..<2_000).map { index in
            let team = index % 2 == 0 ? "payments" : "analytics"
            let config = index % 100 == 7 ? ["connector.class": "io.debezium.connector.postgresql.PostgresConnector", "topic": "cdc.orders.\(index)"]
                                          : ["topics": "events.\(team).\(index % 10)"]
            return ServerFixture.connector(String(format: "%@_c%04d", team, index), config: config, type: index % 100 == 7 ? "source" : "sink")
        }
        let fixture = try ServerFixture(connectors: ServerFixture.snapshot(connectors))
        try await fixture.app.test(.router) { client in
            let cookie = try await client.signIn("pat")
            func total(_ query: String) async throws -> Int {
                let (status, body) = try await client.page("/api/v1/connectors?" + query, cookie: cookie)
                #expect(status == .ok, "\(query): \(body.prefix(200))")
                return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])["total"] as? Int ?? -1
            }
            #expect(try await total("class=Debezium") == 20)
            #expect(try await total("q=postgresconnector") == 20)
            #expect(try await total("topic=cdc.orders") == 20)
            #expect(try await total("topic=cdc.orders.107") == 1)
            #expect(try await total("topic=events.analytics.3") == 200)
            #expect(try await total("q=events.analytics.3&team=analytics") == 200)
            #expect(try await total("q=analytics") == 1_000)
            #expect(try await total("q=c0042") == 1)
            #expect(try await total("topic=no-such-topic") == 0)
            // The overview takes the same search, and its pager keeps it.
            let (status, page) = try await client.page("/?q=events.payments", cookie: cookie)
            #expect(status == .ok && page.contains("1000 connectors"), "\(page.prefix(300))")
            #expect(page.contains("?q=events%2Epayments&page=1") || page.contains("?q=events%2Epayments&amp;page=1"), "the pager keeps the search")

        }
    }
}
