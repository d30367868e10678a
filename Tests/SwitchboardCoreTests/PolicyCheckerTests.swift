import Foundation
@testable import SwitchboardCore
import Testing

@Suite struct PolicyCheckerTests {
    func rules(_ files: [String: String], teams: [String] = ["payments"]) throws -> [Violation.Rule] {
        try CatalogFixture(files, teams: teams).violations().map(\.rule)
    }

    @Test func aValidConnectorHasNoViolations() throws {
        #expect(try rules(["teams/payments/connectors/orders.yaml": CatalogFixture.connector()]) == [])
    }

    @Test func literalSecretsAreRejectedAndNeverRepeated() throws {
        let fixture = try CatalogFixture([
            "teams/payments/connectors/orders.yaml": CatalogFixture.connector(config: "    topics: orders\n    database.password: s3cr3t-value\n    api.key: ${vault:kv/x:key}\n    sasl.jaas.config: ${file:/etc/x.properties:jaas}"),
        ])
        let violations = fixture.violations()
        #expect(violations.map(\.rule) == [.secretLiteral, .secretLiteral])
        let literal = try #require(violations.first { $0.location.line == 7 })
        #expect(literal.message.contains("database.password"))
        #expect(literal.fix.contains("${file:"))
        // The provider `vault` is not allowed by this policy; `file` is.
        #expect(violations.contains { $0.location.line == 8 && $0.message.contains("'vault'") })
        #expect(!violations.map(\.description).joined().contains("s3cr3t-value"))
    }

    @Test func namesCarryOnlyTheirOwnTeamsPrefix() throws {
        let own = try CatalogFixture(["teams/payments/connectors/a.yaml": CatalogFixture.connector("payments_orders")]).load().catalog
        #expect(own.connectors.first?.fullName == "payments_orders")
        #expect(try rules(["teams/payments/connectors/a.yaml": CatalogFixture.connector("billing_orders")]) == [.teamPrefix])
        #expect(try rules(["teams/payments/connectors/a.yaml": CatalogFixture.connector("Orders!")]) == [.connectorName])
    }

    @Test func teamNamesHaveNoUnderscore() throws {
        let violations = try CatalogFixture(["teams/pay_ments/connectors/a.yaml": CatalogFixture.connector()], teams: ["pay_ments"]).violations()
        #expect(violations.map(\.rule).contains(.teamName))
    }

    @Test func duplicateNamesOnOneClusterAreRejected() throws {
        let violations = try CatalogFixture([
            "teams/payments/connectors/a.yaml": CatalogFixture.connector("orders"),
            "teams/payments/connectors/b.yaml": CatalogFixture.connector("orders"),
            "teams/payments/connectors/c.yaml": CatalogFixture.connector("orders", cluster: "analytics"),
        ]).violations()
        #expect(violations.map(\.rule) == [.duplicateName])
        #expect(violations.first?.message.contains("a.yaml") == true)
    }

    @Test func unknownClusterAndDisallowedClass() throws {
        #expect(try rules(["teams/payments/connectors/a.yaml": CatalogFixture.connector(cluster: "mars")]) == [.unknownCluster])
        #expect(try rules(["teams/payments/connectors/a.yaml": CatalogFixture.connector(className: "com.evil.Connector")]) == [.classNotAllowed])
        // analytics lists no classes of its own and the policy has no global list: anything goes.
        #expect(try rules(["teams/payments/connectors/a.yaml": CatalogFixture.connector(cluster: "analytics", className: "com.other.Sink")]) == [])
    }

    @Test func tasksCeilingRequiredForbiddenAndReservedKeys() throws {
        #expect(try rules(["teams/payments/connectors/a.yaml": CatalogFixture.connector(extra: "tasks: 5")]) == [.tasksCeiling])
        #expect(try rules(["teams/payments/connectors/a.yaml": CatalogFixture.connector(config: "    topics: x\n    producer.override.acks: \"0\"")]) == [.forbiddenKey])
        #expect(try rules(["teams/payments/connectors/a.yaml": CatalogFixture.connector(config: "    topics: x\n    tasks.max: \"3\"")]) == [.reservedKey])
        // A sink must name its topics (required for sinks); topics.regex does not match the key rule.
        #expect(try rules(["teams/payments/connectors/a.yaml": CatalogFixture.connector(config: "    topics.regex: x.*")]) == [.requiredKey])
    }

    @Test func defaultsAreInjectedForSinksOnlyAndNeverOverrideTheTeam() throws {
        let catalog = try CatalogFixture([
            "teams/payments/connectors/sink.yaml": CatalogFixture.connector("orders-sink", config: "    topics: orders\n    errors.tolerance: none"),
            "teams/payments/connectors/source.yaml": CatalogFixture.connector("orders-source", className: "org.example.Source", config: "    topic: orders"),
        ]).load().catalog
        let sink = try #require(catalog.connectors.first { $0.name == "orders-sink" })
        let source = try #require(catalog.connectors.first { $0.name == "orders-source" })
        let sinkConfig = catalog.policy.effectiveConfig(for: sink)
        #expect(sinkConfig["errors.deadletterqueue.topic.name"] == "dlq.payments.orders-sink")
        #expect(sinkConfig["errors.tolerance"] == "none")
        #expect(sinkConfig["connector.class"] == "org.example.Sink")
        #expect(sinkConfig["tasks.max"] == "1")
        #expect(catalog.policy.effectiveConfig(for: source)["errors.deadletterqueue.topic.name"] == nil)
    }

    @Test func referencesAreRecognised() {
        #expect(SecretMatcher.provider(ofReference: "${file:/etc/x.properties:pw}") == "file")
        #expect(SecretMatcher.provider(ofReference: "${env:PG_PASSWORD}") == "env")
        #expect(SecretMatcher.provider(ofReference: "prefix-${file:/x:y}") == nil)
        #expect(SecretMatcher.provider(ofReference: "${file:/x:y}${file:/a:b}") == nil)
        #expect(SecretMatcher.provider(ofReference: "${:nothing}") == nil)
        #expect(SecretMatcher.provider(ofReference: "plain") == nil)
    }

    @Test func secretKeysFollowTheConfiguredPattern() throws {
        let matcher = SecretMatcher(policy: Policy())
        for key in ["database.password", "ssl.keystore.password", "api.key", "aws.secret.access.key", "sasl.jaas.config", "token", "connection.credentials"] {
            #expect(matcher.isSecret(key), "\(key) should be secret")
        }
        for key in ["topics", "database.user", "key.converter", "tasks.max"] {
            #expect(!matcher.isSecret(key), "\(key) should not be secret")
        }
        let custom = try SecretMatcher(pattern: "(?i).*pin.*")
        #expect(custom.isSecret("card.PIN"))
        #expect(!custom.isSecret("database.password"))
        #expect(custom.scrub("bad value 1234 for card.pin", config: ["card.pin": "1234"]) == "bad value (secret) for card.pin")
    }
}

/// Topic names a connector's config gives Kafka are checked as Kafka will check them, whether the
/// connector writes them or the policy's defaults make them from its name.
@Suite struct TopicNameTests {
    let platform = """
        clusters:
          - name: ingest
            url: http://127.0.0.1:1
        policy:
          defaults:
            - key: errors.deadletterqueue.topic.name
              value: "dlq.{team}.{name}"
              appliesTo: sink
        """

    func violations(_ connector: String) throws -> [Violation] {
        try CatalogFixture(["switchboard.yaml": platform, "teams/payments/connectors/a.yaml": connector]).violations().filter { $0.rule == .topicName }
    }

    @Test func aDefaultMadeFromALongNameIsRefusedWithTheDefaultNamed() throws {
        let fits = String(repeating: "x", count: 249 - "dlq.payments.".count)
        #expect(try violations(CatalogFixture.connector(fits, className: "org.apache.kafka.connect.file.FileStreamSinkConnector")).isEmpty, "249 characters fit")
        let found = try violations(CatalogFixture.connector(fits + "y", className: "org.apache.kafka.connect.file.FileStreamSinkConnector"))
        #expect(found.count == 1 && found[0].message.contains("'errors.deadletterqueue.topic.name'") && found[0].message.contains("250 characters"), "\(found)")
        #expect(found.first?.fix.contains("by at least 1 character") == true)
    }

    @Test func topicsTheConnectorNamesAreCheckedOneByOne() throws {
        let sink = { (topics: String) in CatalogFixture.connector(className: "org.example.Sink", config: "    topics: \"\(topics)\"") }
        #expect(try violations(sink("a.b_c-1,orders")).isEmpty)
        #expect(try violations(sink("a, my orders")).map(\.message) == ["'topics' names topic 'my orders', which has ' ', which Kafka forbids (letters, digits, '.', '_' and '-' only)."])
        #expect(try violations(sink("..")).count == 1)
        #expect(try violations(CatalogFixture.connector(className: "org.example.Source", config: "    topic: \"ü\"")).count == 1)
        // Known only when the connector runs: a provider reference or a template is not judged.
        #expect(try violations(CatalogFixture.connector(className: "org.example.Source", config: "    topic.prefix: \"${env:PREFIX}\"")).isEmpty)
        #expect(try violations(CatalogFixture.connector(className: "org.example.Sink", config: "    topics.regex: \"a b.*\"")).isEmpty, "a regex is no topic name")
    }
}
