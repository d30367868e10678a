import ConnectClient
import Foundation
import ServerTesting
import SwitchboardCore
@testable import SwitchboardSnapshot
import TestSupport
import Testing

/// The snapshot plans each cluster against its own live state.
@Suite struct SnapshotTests {
    @Test func driftAndOwnershipHoldOnEveryClusterNotOnlyTheFirst() throws {
        let folder = try CatalogFolder([
            "switchboard.yaml": "clusters:\n  - name: first\n    url: http://127.0.0.1:1\n  - name: second\n    url: http://127.0.0.1:2\n",
            "teams/payments/team.yaml": "members: [alice]\n",
            "teams/payments/connectors/orders.yaml": "name: orders\ncluster: second\nclass: org.example.Sink\nconfig:\n  topics: orders\n",
        ])
        let catalog = try CatalogLoader.loadChecked(from: folder.root)
        // On the second cluster: a config key changed and the connector paused, both by hand.
        let json = ServerFixture.snapshot(ServerFixture.connector("payments_orders", state: "PAUSED", tasks: ["PAUSED"], config: ["topics": "orders-edited", "tasks.max": "1"]))
        var read = ClusterRead()
        read.connectors = try JSONDecoder().decode([String: ConnectorSnapshot].self, from: Data(json.utf8))
        let snapshot = Snapshot.build(catalog: catalog, reads: ["first": ClusterRead(), "second": read])
        let orders = try #require(snapshot.connectors["second/payments_orders"])
        #expect(orders.ownership == .managed)
        #expect(orders.drift.map(\.key) == ["topics"])
        #expect(orders.stateDrift == .running)
    }

    /// Views reused from the last build are the views a fresh build makes, and a change to what a
    /// view is made from (its read, or a secret anywhere on its cluster) makes it anew.
    @Test func aBuildThatReusesViewsShowsWhatAFreshBuildShows() throws {
        let folder = try CatalogFolder([
            "switchboard.yaml": "clusters:\n  - name: main\n    url: http://127.0.0.1:1\n",
            "teams/payments/team.yaml": "members: [alice]\n",
            "teams/payments/connectors/orders.yaml": "name: orders\ncluster: main\nclass: org.example.Sink\nconfig:\n  topics: orders\n",
        ])
        let catalog = try CatalogLoader.loadChecked(from: folder.root)
        func read(_ connectors: String...) throws -> [String: ClusterRead] {
            var read = ClusterRead()
            read.connectors = try JSONDecoder().decode([String: ConnectorSnapshot].self, from: Data(ServerFixture.snapshot(connectors).utf8))
            return ["main": read]
        }
        let orders = ServerFixture.connector("payments_orders", config: ["topics": "orders", "tasks.max": "1"])
        let failing = ServerFixture.connector("legacy", state: "FAILED", tasks: ["FAILED"], config: ["topics": "x", "database.password": "old-pw-1"],
                                              trace: "java.sql.SQLException: login failed with new-pw-2")
        var memo = ViewMemo()
        let first = Snapshot.build(catalog: catalog, reads: try read(orders, failing), memo: &memo)
        let again = Snapshot.build(catalog: catalog, reads: try read(orders, failing), memo: &memo)
        #expect(again.connectors == first.connectors)
        #expect(again.connectors == Snapshot.build(catalog: catalog, reads: try read(orders, failing)).connectors)

        // The connector's read changes: its view follows.
        let paused = ServerFixture.connector("payments_orders", state: "PAUSED", tasks: ["PAUSED"], config: ["topics": "orders", "tasks.max": "1"])
        let changed = Snapshot.build(catalog: catalog, reads: try read(paused, failing), memo: &memo)
        #expect(changed.connectors["main/payments_orders"]?.state == "PAUSED")
        #expect(changed.connectors["main/payments_orders"]?.stateDrift == .running)
        #expect(changed.connectors["main/legacy"]?.tasks.first?.trace?.contains("new-pw-2") == true)

        // Another connector of the cluster now holds the secret the unchanged trace quotes: the trace is scrubbed of it.
        let holder = ServerFixture.connector("holder", config: ["topics": "y", "database.password": "new-pw-2"])
        let scrubbed = Snapshot.build(catalog: catalog, reads: try read(paused, failing, holder), memo: &memo)
        let trace = try #require(scrubbed.connectors["main/legacy"]?.tasks.first?.trace)
        #expect(!trace.contains("new-pw-2"), "\(trace)")
        #expect(scrubbed.connectors == Snapshot.build(catalog: catalog, reads: try read(paused, failing, holder)).connectors)
    }
}
