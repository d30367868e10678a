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
}
