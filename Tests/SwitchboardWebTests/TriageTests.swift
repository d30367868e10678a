import Foundation
import HummingbirdTesting
import ServerTesting
@testable import SwitchboardAPI
import Testing

/// A connector that moves no data is failed, whatever Connect calls its own state: the counts,
/// filters, badges and metrics agree, and every count links to the list it counts.
@Suite struct TriageTests {
    func fixture() throws -> ServerFixture {
        try ServerFixture(connectors: ServerFixture.snapshot(
            ServerFixture.connector("payments_all-tasks-failed", tasks: ["FAILED", "FAILED"]),
            ServerFixture.connector("payments_no-tasks", tasks: []),
            ServerFixture.connector("payments_unassigned", state: "UNASSIGNED", tasks: ["UNASSIGNED"]),
            ServerFixture.connector("payments_one-of-two", tasks: ["RUNNING", "FAILED"]),
            ServerFixture.connector("payments_healthy", tasks: ["RUNNING"]),
            ServerFixture.connector("payments_paused", state: "PAUSED", tasks: ["PAUSED"]),
            ServerFixture.connector("payments_stopped", state: "STOPPED", tasks: []),
            ServerFixture.connector("payments_failed", state: "FAILED", tasks: [])
        ))
    }

    static let failed: Set = ["payments_all-tasks-failed", "payments_no-tasks", "payments_unassigned", "payments_failed"]

    @Test func noTaskRunningIsFailedInCountsFiltersAndMetrics() async throws {
        let fixture = try fixture()
        let snapshot = fixture.dependencies.store.current
        let health = Dictionary(uniqueKeysWithValues: snapshot.connectors.values.map { ($0.name, $0.health) })
        #expect(Set(health.filter { $0.value == "FAILED" }.keys) == Self.failed)
        #expect(health["payments_one-of-two"] == "DEGRADED")
        #expect(health["payments_paused"] == "PAUSED" && health["payments_stopped"] == "STOPPED" && health["payments_healthy"] == "RUNNING")

        let counts = StateCounts(snapshot.connectors.values)
        #expect(counts == StateCounts(total: 8, running: 1, paused: 1, stopped: 1, failed: 4, degraded: 1, other: 0))
        // Failed first, then degraded.
        #expect(Set(snapshot.ordered.prefix(4).map { $0.replacingOccurrences(of: "ingest/", with: "") }) == Self.failed)
        #expect(snapshot.ordered[4] == "ingest/payments_one-of-two")

        let metrics = String(decoding: fixture.dependencies.metrics.emit(), as: UTF8.self)
        for name in Self.failed {
            #expect(metrics.contains(#"switchboard_connector_failed{cluster="ingest",connector="\#(name)",team="payments",type="sink"} 1"#), "\(name)")
        }
        for name in ["payments_one-of-two", "payments_paused", "payments_stopped", "payments_healthy"] {
            #expect(metrics.contains(#"switchboard_connector_failed{cluster="ingest",connector="\#(name)",team="payments",type="sink"} 0"#), "\(name)")
        }

        try await fixture.app.test(.router) { client in
            let cookie = try await client.signIn("carol")
            let (_, json) = try await client.page("/api/v1/connectors?state=failed", cookie: cookie)
            let list = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
            let names = Set((list["connectors"] as! [[String: Any]]).map { $0["name"] as! String })
            #expect(names == Self.failed)
            #expect((list["counts"] as! [String: Int])["failed"] == 4)
            // Each count on the overview links to its list, keeping the other filters.
            let (_, overview) = try await client.page("/?cluster=ingest", cookie: cookie)
            #expect(overview.contains(#"<a href="/?cluster=ingest&amp;state=FAILED">4 failed</a>"#), "\(overview.prefix(3000))")
            #expect(overview.contains(#"<a href="/?cluster=ingest&amp;state=DEGRADED">1 degraded</a>"#))
            #expect(overview.contains(#"<a href="/?cluster=ingest">8 connectors</a>"#))
            let (_, failedList) = try await client.page("/?cluster=ingest&state=FAILED", cookie: cookie)
            #expect(failedList.contains("payments_no-tasks") && !failedList.contains(">payments_healthy<") && !failedList.contains(">payments_one-of-two<"))
        }
    }
}
