import Foundation
import SwitchboardCore
import Testing

/// A scaffolded connector file: needed keys with placeholders, secrets only as references (a
/// literal typed into a secret field never reaches the file), policy defaults shown with the
/// connector's own names, and YAML that survives any value.
@Suite struct ConnectorScaffoldTests {
    static let keys = [
        ConnectorScaffold.Key(name: "database.hostname", type: "STRING", documentation: "Resolvable hostname.", group: "Postgres", needed: true),
        ConnectorScaffold.Key(name: "database.password", type: "PASSWORD", documentation: "Password.", group: "Postgres", importance: "HIGH", needed: false),
        ConnectorScaffold.Key(name: "api.token", type: "STRING", group: "Postgres", needed: true),
        ConnectorScaffold.Key(name: "database.port", type: "INT", group: "Postgres", defaultValue: "5432", importance: "HIGH", needed: false),
        ConnectorScaffold.Key(name: "tasks.max", type: "INT", group: "Common", defaultValue: "1", importance: "HIGH", needed: false),
    ]

    @Test func secretsAreReferencesAndPlaceholdersAreMarked() throws {
        var policy = Policy()
        policy.defaults = [.init(key: "errors.tolerance", value: "all", appliesTo: .source), .init(key: "dlq", value: "dlq.{team}.{name}", appliesTo: .sink)]
        let planted = "Planted-\(UInt32.random(in: 0...UInt32.max))-pw"
        let scaffold = ConnectorScaffold(team: "payments", name: "orders-cdc", cluster: "ingest", connectorClass: "io.example.Cdc", version: "1.0", sink: false,
                                         keys: Self.keys, values: ["api.token": planted, "database.password": planted, "database.hostname": "db \"one\"\nx"])
        let yaml = scaffold.yaml(policy: policy)
        #expect(!yaml.contains(planted), "a literal typed into a secret field never reaches the file")
        #expect(yaml.contains(#"  api.token: "${file:/etc/kafka-connect/secrets/payments/orders-cdc.properties:api.token}""#), "\(yaml)")
        #expect(yaml.contains(#"  database.hostname: "db \"one\"\nx""#), "quoted and escaped: \(yaml)")
        #expect(yaml.contains(#"  #   errors.tolerance: "all""#) && !yaml.contains("dlq."), "the source's defaults only")
        #expect(yaml.contains(#"  # database.port: "5432""#) && !yaml.contains("tasks.max"), "important keys commented, framework keys left out")
        #expect(scaffold.path == "teams/payments/connectors/orders-cdc.yaml")

        policy.secretProviders = ["env"]
        #expect(scaffold.value(of: Self.keys[2], policy: policy) == "${env:PAYMENTS_ORDERS_CDC_API_TOKEN}")
        let given = ConnectorScaffold(team: "payments", name: "x", cluster: "ingest", connectorClass: "c", version: nil, sink: false, keys: Self.keys,
                                      values: ["api.token": "${file:/run/secrets/t:token}"])
        #expect(given.value(of: Self.keys[2], policy: policy) == "${file:/run/secrets/t:token}", "a reference given is kept")
        let sink = ConnectorScaffold(team: "payments", name: "x", cluster: "ingest", connectorClass: "c", version: nil, sink: true, keys: [], values: [:])
        #expect(sink.written(policy: Policy()).map(\.name) == ["topics"] && sink.config(policy: Policy()) == ["topics": ConnectorScaffold.placeholder])
    }
}
