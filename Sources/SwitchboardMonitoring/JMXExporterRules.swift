import SwitchboardCore
import Yams

/// Rules for the Prometheus JMX exporter agent on Connect workers. Connector names are
/// `<team>_<name>` and team names have no underscore, so the first group of
/// `connector=([^_]+)_(.+)` is the team: every connector metric carries a `team` label, which
/// Alertmanager routes by. Connectors without a prefix get no team label (the default receiver).
enum JMXExporterRules {
    /// One exporter rule: a Java regex over `domain<key=value, ...><>attribute: value`.
    struct Rule {
        var pattern: String
        var name: String
        var value: Int?
        var labels: [(String, String)] = []

        var node: Node {
            var pairs: [(String, Node)] = [("pattern", YAMLWriter.text(pattern)), ("name", YAMLWriter.text(name))]
            if let value { pairs.append(("value", YAMLWriter.number(value))) }
            pairs.append(("type", "GAUGE"))
            if !labels.isEmpty { pairs.append(("labels", YAMLWriter.mapping(labels.map { ($0.0, YAMLWriter.text($0.1)) }))) }
            return YAMLWriter.mapping(pairs)
        }
    }

    static let taskTypes = "(connector-task-metrics|source-task-metrics|sink-task-metrics|task-error-metrics)"

    /// In order: the exporter uses the first rule that matches, so each team rule comes before
    /// its catch-all.
    static let rules: [Rule] = [
        // Connector and task state (string attributes, value 1), with the team from the name prefix.
        Rule(pattern: "kafka.connect<type=connector-metrics, connector=([^_]+)_(.+)><>status: ([a-z-]+)", name: "kafka_connect_connector_status", value: 1,
             labels: [("connector", "$1_$2"), ("team", "$1"), ("status", "$3")]),
        Rule(pattern: "kafka.connect<type=connector-metrics, connector=(.+)><>status: ([a-z-]+)", name: "kafka_connect_connector_status", value: 1,
             labels: [("connector", "$1"), ("status", "$2")]),
        Rule(pattern: #"kafka.connect<type=connector-task-metrics, connector=([^_]+)_(.+), task=(\d+)><>status: ([a-z-]+)"#, name: "kafka_connect_connector_task_status", value: 1,
             labels: [("connector", "$1_$2"), ("team", "$1"), ("task", "$3"), ("status", "$4")]),
        Rule(pattern: #"kafka.connect<type=connector-task-metrics, connector=(.+), task=(\d+)><>status: ([a-z-]+)"#, name: "kafka_connect_connector_task_status", value: 1,
             labels: [("connector", "$1"), ("task", "$2"), ("status", "$3")]),
        // Numeric task metrics (rates, totals, errors), with the team.
        Rule(pattern: #"kafka.connect<type=\#(taskTypes), connector=([^_]+)_(.+), task=(\d+)><>([a-z-]+)"#, name: "kafka_connect_$1_$5",
             labels: [("connector", "$2_$3"), ("team", "$2"), ("task", "$4")]),
        Rule(pattern: #"kafka.connect<type=\#(taskTypes), connector=(.+), task=(\d+)><>([a-z-]+)"#, name: "kafka_connect_$1_$4",
             labels: [("connector", "$2"), ("task", "$3")]),
        // Worker-wide metrics.
        Rule(pattern: "kafka.connect<type=connect-worker-metrics, connector=([^_]+)_(.+)><>([a-z-]+)", name: "kafka_connect_worker_connector_$3",
             labels: [("connector", "$1_$2"), ("team", "$1")]),
        Rule(pattern: "kafka.connect<type=connect-worker-metrics><>([a-z-]+)", name: "kafka_connect_worker_$1"),
        Rule(pattern: "kafka.connect<type=connect-worker-rebalance-metrics><>([a-z-]+)", name: "kafka_connect_worker_rebalance_$1"),
    ]

    static var document: Node {
        YAMLWriter.mapping([
            ("lowercaseOutputName", true), ("lowercaseOutputLabelNames", true),
            ("rules", .sequence(Node.Sequence(rules.map(\.node)))),
        ])
    }
}
