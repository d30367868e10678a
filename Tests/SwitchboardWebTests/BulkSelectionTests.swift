import Foundation
import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot
@testable import SwitchboardWeb
import TestSupport
import Testing

/// A bulk action's selection apart from Connect: the limit is said with its number, and a
/// selection at the limit is taken whole.
@Suite struct BulkSelectionTests {
    static func running(_ count: Int) -> Snapshot {
        let views = (0..<count).map { index in
            ConnectorView(name: "pay_c\(index)", cluster: "ingest", team: "pay", state: "RUNNING", type: "source", connectorClass: "FileStreamSource", worker: nil, trace: nil,
                          tasks: [.init(id: 0, state: "RUNNING")], config: [:], source: nil, managed: false, ownership: .unmanaged, drift: [], stateDrift: nil,
                          autoRestart: AutoRestartPolicy())
        }
        return Snapshot(clusters: [:], connectors: Dictionary(uniqueKeysWithValues: views.map { ($0.key, $0) }), ordered: views.map(\.key), takenAt: Date())
    }

    @Test func aSelectionOverTheLimitIsRefusedWithTheLimitAndOneAtItIsTaken() throws {
        let catalog = try CatalogLoader.loadChecked(from: CatalogFolder(["switchboard.yaml": "clusters:\n  - name: ingest\n    url: http://127.0.0.1:1\n"]).root)
        let filter = ConnectorFilter(state: "RUNNING")
        let over = ConnectorActions.bulkLimit + 1
        let refused = #expect(throws: ConnectorActions.BulkRefused.self) { try ConnectorActions.select(Self.running(over), catalog: catalog, filter: filter, named: nil) }
        #expect(refused?.message == "the selection has \(over) connectors; one bulk action takes at most \(ConnectorActions.bulkLimit): narrow it (team, cluster, state)")
        let taken = try ConnectorActions.select(Self.running(ConnectorActions.bulkLimit), catalog: catalog, filter: filter, named: nil)
        #expect(taken.count == ConnectorActions.bulkLimit)
    }
}
