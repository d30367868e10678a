import Foundation
@testable import SwitchboardCore
import Testing

@Suite struct PluginManifestTests {
    static let manifest = """
        store:
          url: file:///var/lib/artifacts
        builtinClasses: [org.example.Sink]
        artifacts:
          - name: debezium-postgres
            version: 3.0.7.Final
            type: zip
            source: https://repo.example.com/debezium-postgres.zip
            sha256: \(String(repeating: "ab", count: 32))
            classes: [io.debezium.connector.postgresql.PostgresConnector]
        clusters:
          ingest: [debezium-postgres]
          analytics: []
        """

    @Test func readsArtifactsAndSets() throws {
        let (manifest, violations) = CatalogLoader.loadPluginManifest(Self.manifest)
        #expect(violations.isEmpty, "\(violations)")
        let plugins = try #require(manifest)
        #expect(plugins.artifacts(for: "ingest").map(\.name) == ["debezium-postgres"])
        #expect(plugins.artifacts.first?.storePath == "debezium-postgres/3.0.7.Final/debezium-postgres-3.0.7.Final.zip")
        #expect(plugins.classes(for: "analytics") == ["org.example.Sink"])
        #expect(plugins.classes(for: "ingest").contains("io.debezium.connector.postgresql.PostgresConnector"))
    }

    @Test func badEntriesAreViolationsWithLines() {
        let text = """
            artifacts:
              - name: Bad/Name
                version: "1"
                type: rar
                source: x
                sha256: nothex
            clusters:
              ingest: [missing]
            """
        let (_, violations) = CatalogLoader.loadPluginManifest(text)
        #expect(violations.contains { $0.rule == .invalidValue && $0.location.line == 4 && $0.message.contains("rar") })
        #expect(violations.contains { $0.location.line == 8 && $0.message.contains("'missing'") })
    }

    @Test func aConnectorWhoseClassIsNotInItsClustersSetFailsValidation() throws {
        let connector = """
            name: cdc
            cluster: analytics
            class: io.debezium.connector.postgresql.PostgresConnector
            config:
              topic.prefix: x
            """
        let fixture = try CatalogFixture(["plugins.yaml": Self.manifest, "teams/payments/connectors/cdc.yaml": connector])
        let violations = fixture.violations()
        #expect(violations.map(\.rule) == [.pluginMissing])
        #expect(violations.first?.fix.contains("Add debezium-postgres to cluster analytics's set") == true)
        let platform = "clusters:\n  - name: ingest\n    url: http://127.0.0.1:18083\n  - name: analytics\n    url: http://127.0.0.1:18093\n"
        let fine = try CatalogFixture(["plugins.yaml": Self.manifest, "teams/payments/connectors/cdc.yaml": connector.replacingOccurrences(of: "analytics", with: "ingest")], platform: platform)
        #expect(fine.violations().isEmpty)
    }

    /// Two versions of one plugin side by side (KIP-891): a connector pins one, and the pin is
    /// checked against its cluster's set like the class is; it goes to Connect as
    /// `connector.plugin.version`, which nobody may write by hand.
    @Test func aPinnedPluginVersionMustBeInstalledOnItsCluster() throws {
        let manifest = Self.manifest.replacingOccurrences(of: """
            clusters:
              ingest: [debezium-postgres]
            """, with: """
              - name: debezium-postgres-3-6
                version: 3.6.3.Final
                type: zip
                source: https://repo.example.com/debezium-postgres-3.6.zip
                sha256: \(String(repeating: "cd", count: 32))
                classes: [io.debezium.connector.postgresql.PostgresConnector]
            clusters:
              ingest: [debezium-postgres, debezium-postgres-3-6]
            """)
        let platform = "clusters:\n  - name: ingest\n    url: http://127.0.0.1:18083\n  - name: analytics\n    url: http://127.0.0.1:18093\n"
        func connector(_ version: String, cluster: String = "ingest") -> String {
            "name: cdc\ncluster: \(cluster)\nclass: io.debezium.connector.postgresql.PostgresConnector\npluginVersion: \"\(version)\"\nconfig:\n  topic.prefix: x\n"
        }
        let pinned = try CatalogFixture(["plugins.yaml": manifest, "teams/payments/connectors/cdc.yaml": connector("3.6.3.Final")], platform: platform)
        #expect(pinned.violations().isEmpty, "\(pinned.violations())")
        let catalog = pinned.load().catalog
        let definition = try #require(catalog.connectors.first)
        #expect(catalog.policy.effectiveConfig(for: definition)[ConnectorDefinition.pluginVersionKey] == "3.6.3.Final")

        let missing = try CatalogFixture(["plugins.yaml": manifest, "teams/payments/connectors/cdc.yaml": connector("3.5.0.Final")], platform: platform)
        let violations = missing.violations()
        #expect(violations.map(\.rule) == [.pluginMissing])
        #expect(violations.first?.message.contains("pins io.debezium.connector.postgresql.PostgresConnector 3.5.0.Final") == true)
        #expect(violations.first?.message.contains("3.0.7.Final, 3.6.3.Final") == true)

        let range = try CatalogFixture(["plugins.yaml": manifest, "teams/payments/connectors/cdc.yaml": connector("[3.0,4.0)")], platform: platform)
        #expect(range.violations().isEmpty, "a range is Connect's to resolve")
        for bad in ["3.6 .3", "3.6;rm", ""] {
            let wrong = try CatalogFixture(["plugins.yaml": manifest, "teams/payments/connectors/cdc.yaml": connector(bad)], platform: platform)
            #expect(wrong.violations().map(\.rule).contains(.invalidValue), "\(bad)")
        }
        let byHand = try CatalogFixture(["plugins.yaml": manifest, "teams/payments/connectors/cdc.yaml": "name: cdc\ncluster: ingest\nclass: io.debezium.connector.postgresql.PostgresConnector\nconfig:\n  connector.plugin.version: 3.6.3.Final\n"],
                                        platform: platform)
        #expect(byHand.violations().map(\.rule) == [.reservedKey])
    }
}
