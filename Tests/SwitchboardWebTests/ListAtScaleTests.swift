import Foundation
import Hummingbird
import HummingbirdTesting
import ServerTesting
import Testing

/// The list API at company scale: 20,000 connectors are paged and filtered on the server, and no
/// answer carries more than the page asked for.
@Suite struct ListAtScaleTests {
    @Test func twentyThousandConnectorsArePagedAndFilteredOnTheServer() async throws {
        let connectors = (0..<20_000).map { index in
            ServerFixture.connector(String(format: "%@_c%05d", index % 2 == 0 ? "payments" : "analytics", index), state: index % 100 == 0 ? "PAUSED" : "RUNNING")
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
        }
    }
}
