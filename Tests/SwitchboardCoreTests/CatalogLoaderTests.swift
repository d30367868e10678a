import Foundation
@testable import SwitchboardCore
import Testing

@Suite struct CatalogLoaderTests {
    @Test func readsClustersTeamsAndConnectorsWithTheirLines() throws {
        let fixture = try CatalogFixture([
            "teams/payments/connectors/orders.yaml": CatalogFixture.connector(extra: "tasks: 2\nstate: paused", config: "    topics: orders\n    file: /tmp/out.txt"),
        ])
        let result = fixture.load()
        #expect(result.violations.isEmpty, "\(result.violations)")
        let catalog = result.catalog
        #expect(catalog.clusters.map(\.name) == ["ingest", "analytics"])
        #expect(catalog.cluster(named: "analytics")?.urls == ["http://127.0.0.1:18093", "http://127.0.0.1:18094"])
        #expect(catalog.admins.groups == ["platform"])
        #expect(catalog.teams.map(\.name) == ["payments"])
        #expect(catalog.teams.first?.members.users == ["alice"])
        #expect(catalog.teams.first?.alertReceivers.first?.url == "http://127.0.0.1:9000/hook")

        let connector = try #require(catalog.connectors.first)
        #expect(connector.fullName == "payments_orders")
        #expect(connector.tasks == 2)
        #expect(connector.state == .paused)
        #expect(connector.config == ["topics": "orders", "file": "/tmp/out.txt"])
        #expect(connector.location == SourceLocation(file: "teams/payments/connectors/orders.yaml", line: 1))
        #expect(connector.location(ofKey: "file").line == 8)
    }

    /// 20,000 files repeat the same long keys and values: the catalog holds each once.
    @Test func equalLongKeysAndValuesOfDifferentFilesAreStoredOnce() throws {
        let config = "    value.converter: org.apache.kafka.connect.json.JsonConverter\n    topics: orders"
        let fixture = try CatalogFixture([
            "teams/payments/connectors/orders.yaml": CatalogFixture.connector("orders", className: "org.example.LongClassNameSink", config: config),
            "teams/payments/connectors/refunds.yaml": CatalogFixture.connector("refunds", className: "org.example.LongClassNameSink", config: config),
        ])
        let connectors = fixture.load().catalog.connectors
        try #require(connectors.count == 2)
        func storage(_ string: String?) -> UnsafeRawPointer? {
            string?.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress!) } ?? nil
        }
        let (a, b) = (connectors[0], connectors[1])
        #expect(a.config == b.config)
        #expect(storage(a.config["value.converter"]) == storage(b.config["value.converter"]))
        #expect(storage(a.connectorClass) == storage(b.connectorClass))
        #expect(a.location(ofKey: "topics").line == b.location(ofKey: "topics").line)
    }

    @Test func malformedYAMLNamesTheFileAndLine() throws {
        let fixture = try CatalogFixture([
            "teams/payments/connectors/broken.yaml": "name: orders\ncluster: ingest\nconfig:\n  topics: [orders\n  file: x\n",
        ])
        let violations = fixture.violations()
        let syntax = try #require(violations.first { $0.rule == .yamlSyntax })
        #expect(syntax.location.file == "teams/payments/connectors/broken.yaml")
        #expect(syntax.location.line == 5)
        #expect(syntax.message.contains("starts at line 4"))
        #expect(violations.count == 1, "one clear error: \(violations)")
    }

    @Test func unknownKeysAreReportedWithASuggestion() throws {
        let fixture = try CatalogFixture([
            "teams/payments/connectors/orders.yaml": "name: orders\ncluster: ingest\nclass: org.example.Sink\nstat: paused\nconfig:\n  topics: orders\n",
        ])
        let violation = try #require(fixture.violations().first { $0.rule == .unknownKey })
        #expect(violation.location == SourceLocation(file: "teams/payments/connectors/orders.yaml", line: 4))
        #expect(violation.message.contains("'stat'"))
        #expect(violation.fix.contains("Did you mean 'state'?"))
    }

    @Test func missingClassIsItsOwnRule() throws {
        let fixture = try CatalogFixture(["teams/payments/connectors/orders.yaml": "name: orders\ncluster: ingest\nconfig:\n  topics: orders\n"])
        let violations = fixture.violations()
        #expect(violations.map(\.rule) == [.missingClass])
        #expect(violations.first?.location.file == "teams/payments/connectors/orders.yaml")
    }

    @Test func configValuesMustBeScalarsAndNotEmpty() throws {
        let fixture = try CatalogFixture([
            "teams/payments/connectors/orders.yaml": CatalogFixture.connector(config: "    topics: orders\n    list: [a, b]\n    empty:\n"),
        ])
        let violations = fixture.violations().filter { $0.rule == .invalidValue }
        #expect(violations.count == 2)
        #expect(violations.map(\.location.line).contains(7))
        #expect(violations.map(\.location.line).contains(8))
    }

    @Test func numbersAndBooleansInConfigAreKeptAsWritten() throws {
        let fixture = try CatalogFixture([
            "teams/payments/connectors/orders.yaml": CatalogFixture.connector(config: "    topics: orders\n    port: 5432\n    flag: true\n    ratio: 1.50\n"),
        ])
        let connector = try #require(fixture.load().catalog.connectors.first)
        #expect(connector.config["port"] == "5432")
        #expect(connector.config["flag"] == "true")
        #expect(connector.config["ratio"] == "1.50")
    }

    @Test func aConnectorFolderWithoutTeamYamlIsAnUnknownTeam() throws {
        let fixture = try CatalogFixture(["teams/ghosts/connectors/orders.yaml": CatalogFixture.connector()])
        let violations = fixture.violations()
        #expect(violations.contains { $0.rule == .missingKey && $0.location.file == "teams/ghosts" })
        #expect(violations.contains { $0.rule == .teamPrefix && $0.connector == "ghosts_orders" })
    }

    @Test func missingPlatformFileIsOneClearError() throws {
        let fixture = try CatalogFixture([:], platform: nil)
        let violations = fixture.violations()
        #expect(violations.count == 1)
        #expect(violations.first?.location.file == "switchboard.yaml")
    }

    @Test func clusterPasswordMustNotBeWrittenInTheCatalog() throws {
        let platform = """
            clusters:
              - name: ingest
                url: https://connect:8083
                auth:
                  basic:
                    username: switchboard
                    password: hunter2
            """
        let violations = try CatalogFixture([:], platform: platform).violations()
        #expect(violations.contains { $0.rule == .secretLiteral && $0.location.line == 7 })
        #expect(!violations.map(\.description).joined().contains("hunter2"))
    }

    @Test func loadCheckedThrowsEveryViolationSorted() throws {
        let fixture = try CatalogFixture([
            "teams/payments/connectors/a.yaml": CatalogFixture.connector("a", cluster: "nowhere"),
            "teams/payments/connectors/b.yaml": CatalogFixture.connector("b", extra: "tasks: 99"),
        ])
        #expect(throws: CatalogError.self) { try CatalogLoader.loadChecked(from: fixture.root) }
        do {
            _ = try CatalogLoader.loadChecked(from: fixture.root)
        } catch {
            #expect(error.violations.map(\.rule) == [.unknownCluster, .tasksCeiling])
            #expect(error.description.contains("nothing was applied"))
        }
    }
}
