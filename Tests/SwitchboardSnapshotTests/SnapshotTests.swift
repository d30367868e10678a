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
}
