import Foundation
@testable import SwitchboardCore
import Testing

/// What a plan may delete: only connectors of a catalog team whose folder read cleanly, never
/// one marked protected, and deletes always stand out.
@Suite struct DeletionGuardTests {
    func catalog(_ files: [String: String], platform: String = CatalogFixture.platform) throws -> Catalog {
        let result = try CatalogFixture(files, platform: platform).load()
        let violations = result.violations + PolicyChecker(catalog: result.catalog).check()
        #expect(violations.isEmpty, "\(violations)")
        return result.catalog
    }

    func live(_ name: String, protected: Bool = false) -> LiveConnector {
        var config = ["connector.class": "org.example.Sink", "topics": "orders", "name": name]
        if protected { config[ConnectorDefinition.protectKey] = "true" }
        return LiveConnector(name: name, config: config, state: "RUNNING")
    }

    @Test func aProtectedConnectorCarriesItsMarkerAndIsNeverDeletedOnceItsFileIsGone() throws {
        let protected = try catalog(["teams/payments/connectors/a.yaml": CatalogFixture.connector(extra: "protect: true")])
        let connector = try #require(protected.connectors.first)
        #expect(connector.protect)
        #expect(protected.policy.effectiveConfig(for: connector)[ConnectorDefinition.protectKey] == "true")

        let empty = try catalog(["teams/payments/connectors/.gitkeep": ""])
        let plan = Planner(catalog: empty).plan(live: ["ingest": [live("payments_orders", protected: true), live("payments_old")]])
        #expect(plan.deletes.map(\.connector) == ["payments_old"])
        #expect(plan.clusters[0].kept == [.init(connector: "payments_orders", team: "payments", reason: .protected)])
        #expect(plan.clusters[0].ownerships == ["payments_orders": .protected, "payments_old": .deletedByNextApply])
        #expect(PlanRenderer.render(plan).contains("! payments_orders  kept: \(Ownership.protected.phrase)"))
    }

    @Test func unprotectingIsAnUpdateThatRemovesTheMarker() throws {
        let catalog = try catalog(["teams/payments/connectors/a.yaml": CatalogFixture.connector()])
        let plan = Planner(catalog: catalog).plan(live: ["ingest": [live("payments_orders", protected: true)]])
        let change = try #require(plan.changes.first)
        #expect(change.action == .update)
        #expect(change.keyChanges.contains { $0.key == ConnectorDefinition.protectKey && $0.kind == .removed })
    }

    @Test func theMarkerCannotBeWrittenAsAConfigKey() throws {
        let result = try CatalogFixture(["teams/payments/connectors/a.yaml": CatalogFixture.connector(config: "    topics: orders\n    \(ConnectorDefinition.protectKey): \"true\"")]).load()
        let violations = PolicyChecker(catalog: result.catalog).check()
        #expect(violations.contains { $0.rule == .reservedKey && $0.message.contains(ConnectorDefinition.protectKey) })
    }

    @Test func aTeamWhoseFolderDidNotReadCleanlyKeepsItsConnectors() throws {
        var catalog = try catalog(["teams/payments/connectors/.gitkeep": ""])
        catalog.cleanTeams = []
        let plan = Planner(catalog: catalog).plan(live: ["ingest": [live("payments_orders")]])
        #expect(plan.deletes.isEmpty)
        #expect(plan.clusters[0].kept.first?.reason == .keptTeamFolderIncomplete)
    }

    @Test func deletesStandOutInTextAndJSON() throws {
        let catalog = try catalog(["teams/payments/connectors/a.yaml": CatalogFixture.connector("fresh")])
        let plan = Planner(catalog: catalog).plan(live: ["ingest": (1...7).map { live("payments_old\($0)") }])
        let text = PlanRenderer.render(plan, deleteLimit: 5)
        let lines = text.components(separatedBy: "\n")
        #expect(lines[0].hasPrefix("!! This plan DELETES 7 connectors: ingest/payments_old1"))
        #expect(lines[1].contains("more than policy.maxDeletesPerApply (5)") && lines[1].contains("--allow-mass-delete"))
        let clusterLines = lines.drop { !$0.hasPrefix("Cluster ingest") }.dropFirst()
        #expect(clusterLines.first?.hasPrefix("  - payments_old1  DELETE") == true, "deletes come first: \(text)")
        #expect(text.contains("7 to DELETE"))

        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(plan)) as! [String: Any]
        #expect((json["deletes"] as? [String])?.count == 7)
        #expect((json["summary"] as? [String: Int])?["delete"] == 7)
        let decoded = try JSONDecoder().decode(Plan.self, from: JSONEncoder().encode(plan))
        #expect(decoded.deletes.count == 7, "the JSON reads back")
    }

    @Test func theDeletionLimitIsAPolicySetting() throws {
        let catalog = try catalog([:], platform: CatalogFixture.platform.replacingOccurrences(of: "  maxTasks: 4", with: "  maxTasks: 4\n  maxDeletesPerApply: 2"))
        #expect(catalog.policy.maxDeletesPerApply == 2)
        #expect(try self.catalog([:]).policy.maxDeletesPerApply == Policy.defaultMaxDeletesPerApply)
        let bad = try CatalogFixture([:], platform: CatalogFixture.platform.replacingOccurrences(of: "  maxTasks: 4", with: "  maxTasks: 4\n  maxDeletesPerApply: -1")).load()
        #expect(bad.violations.contains { $0.message.contains("maxDeletesPerApply") })
    }

    @Test(arguments: [
        ("http://127.0.0.1:18083", "http://localhost:18083/"),
        ("http://connect.internal:8083", "http://CONNECT.internal:8083"),
        ("https://connect.internal", "https://connect.internal:443"),
        ("http://127.0.0.1:18083", "http://[::1]:18083"),
    ])
    func twoCatalogClustersNamingOneWorkerAreRefused(first: String, second: String) throws {
        let platform = "clusters:\n  - name: ingest\n    url: \(first)\n  - name: ingest-again\n    urls: [\"http://10.9.9.9:8083\", \"\(second)\"]\n"
        let result = try CatalogFixture([:], platform: platform).load()
        let violation = result.violations.first { $0.rule == .sameCluster }
        #expect(violation != nil, "\(result.violations)")
        #expect(violation?.message.contains("'ingest'") == true && violation?.message.contains("'ingest-again'") == true)
    }

    @Test(arguments: [
        ("clusters:\n  - name: ingest\n    url: http://admin:Hunter2-s3cr3t@connect:8083\n", "switchboard.yaml"),
        ("clusters:\n  - name: ingest\n    urls: [\"http://connect:8083/?password=Hunter2-s3cr3t\"]\n", "switchboard.yaml"),
    ])
    func credentialsInAClusterURLAreALiteralSecret(platform: String, file: String) throws {
        let result = try CatalogFixture([:], platform: platform).load()
        let violation = result.violations.first { $0.rule == .secretLiteral }
        #expect(violation?.location.file == file)
        for found in result.violations { #expect(!found.description.contains("Hunter2-s3cr3t")) }
    }

    @Test(arguments: [
        "connection.url: \"jdbc:postgresql://app:Hunter2-s3cr3t@db:5432/orders\"",
        "connection.url: \"jdbc:postgresql://db:5432/orders?user=app&password=Hunter2-s3cr3t\"",
        "connection.url: \"jdbc:sqlserver://db:1433;user=app;password=Hunter2-s3cr3t\"",
        "producer.override.sasl.jaas.config: \"x\"",
    ])
    func credentialsInsideAConfigValueAreALiteralSecret(line: String) throws {
        let result = try CatalogFixture(["teams/payments/connectors/a.yaml": CatalogFixture.connector(config: "    topics: orders\n    \(line)")]).load()
        let violations = PolicyChecker(catalog: result.catalog).check()
        let violation = violations.first { $0.rule == .secretLiteral }
        #expect(violation != nil, "\(line): \(violations)")
        #expect(violation?.location.line == 7, "it points at the key's line")
        for found in violations { #expect(!found.description.contains("Hunter2-s3cr3t")) }
    }
}
