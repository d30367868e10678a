import Foundation
@testable import SwitchboardAPI
import SwitchboardCore
import Testing

/// ConnectorView keeps its fields behind one shared reference (copy on write): it must still
/// behave as a value and encode as the plain struct did.
@Suite struct ConnectorViewTests {
    static func view() -> ConnectorView {
        ConnectorView(name: "payments_orders", cluster: "ingest", team: "payments", state: "RUNNING", type: "sink", connectorClass: "X", worker: "w:8083",
                      trace: nil, tasks: [.init(id: 0, state: "RUNNING", worker: "w:8083")], config: ["topics": "orders"],
                      source: SourceLocation(file: "f.yaml", line: 1), managed: true, ownership: .managed, drift: [], stateDrift: nil, autoRestart: AutoRestartPolicy())
    }

    @Test func aChangedCopyLeavesTheOriginalAsItWas() {
        let original = Self.view()
        var copy = original
        copy.state = "FAILED"
        copy.config["topics"] = "refunds"
        copy.tasks[0].trace = "boom"
        #expect(original.state == "RUNNING")
        #expect(original.config == ["topics": "orders"])
        #expect(original.tasks[0].trace == nil)
        #expect(copy.state == "FAILED" && copy.config["topics"] == "refunds" && copy.tasks[0].trace == "boom")
        #expect(copy != original)
        // statusOnly is a copy too.
        var withTrace = original
        withTrace.trace = "secret-free trace"
        #expect(withTrace.statusOnly.trace == nil && withTrace.trace == "secret-free trace")
    }

    @Test func copiesAreEqualAndEqualFieldsAreEqualWhateverHoldsThem() {
        let original = Self.view()
        let copy = original
        #expect(copy == original)
        #expect(Self.view() == original)  // another box, the same fields
        var changedBack = original
        changedBack.state = "PAUSED"
        changedBack.state = "RUNNING"
        #expect(changedBack == original)
    }

    @Test func itEncodesAndDecodesAsItsFieldsWithNothingOfTheBox() throws {
        let view = Self.view()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try encoder.encode(view)
        #expect(json == (try encoder.encode(ConnectorView.Fields(view))))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["box"] == nil && object["fields"] == nil)
        #expect(object["name"] as? String == "payments_orders" && object["cluster"] as? String == "ingest")
        #expect(try JSONDecoder().decode(ConnectorView.self, from: json) == view)
    }
}

extension ConnectorView.Fields {
    /// The fields of a view, read one by one through its public properties.
    init(_ view: ConnectorView) {
        self.init(name: view.name, cluster: view.cluster, team: view.team, state: view.state, type: view.type, connectorClass: view.connectorClass,
                  pluginVersion: view.pluginVersion, worker: view.worker, trace: view.trace, cause: view.cause, tasks: view.tasks, config: view.config,
                  source: view.source, managed: view.managed, ownership: view.ownership, drift: view.drift, stateDrift: view.stateDrift,
                  autoRestart: view.autoRestart, restartStatus: view.restartStatus)
    }
}
