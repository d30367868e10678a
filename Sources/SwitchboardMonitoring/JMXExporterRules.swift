/// Rules for the Prometheus JMX exporter agent on Connect workers. Connector names are
/// `<team>_<name>` and team names have no underscore, so the first group of
/// `connector=([^_]+)_(.+)` is the team: every connector metric carries a `team` label, which
/// Alertmanager routes by. Connectors without a prefix get no team label (the default receiver).
enum JMXExporterRules {
    static let yaml = #"""
    # Rendered by `switchboard render monitoring`: rules for jmx_prometheus_javaagent on Kafka Connect workers.
    lowercaseOutputName: true
    lowercaseOutputLabelNames: true
    rules:
      # Connector and task state (string attributes, value 1), with the team from the name prefix.
      - pattern: 'kafka.connect<type=connector-metrics, connector=([^_]+)_(.+)><>status: ([a-z-]+)'
        name: kafka_connect_connector_status
        value: 1
        type: GAUGE
        labels:
          connector: "$1_$2"
          team: "$1"
          status: "$3"
      - pattern: 'kafka.connect<type=connector-metrics, connector=(.+)><>status: ([a-z-]+)'
        name: kafka_connect_connector_status
        value: 1
        type: GAUGE
        labels:
          connector: "$1"
          status: "$2"
      - pattern: 'kafka.connect<type=connector-task-metrics, connector=([^_]+)_(.+), task=(\d+)><>status: ([a-z-]+)'
        name: kafka_connect_connector_task_status
        value: 1
        type: GAUGE
        labels:
          connector: "$1_$2"
          team: "$1"
          task: "$3"
          status: "$4"
      - pattern: 'kafka.connect<type=connector-task-metrics, connector=(.+), task=(\d+)><>status: ([a-z-]+)'
        name: kafka_connect_connector_task_status
        value: 1
        type: GAUGE
        labels:
          connector: "$1"
          task: "$2"
          status: "$3"
      # Numeric task metrics (rates, totals, errors), with the team.
      - pattern: 'kafka.connect<type=(connector-task-metrics|source-task-metrics|sink-task-metrics|task-error-metrics), connector=([^_]+)_(.+), task=(\d+)><>([a-z-]+)'
        name: kafka_connect_$1_$5
        type: GAUGE
        labels:
          connector: "$2_$3"
          team: "$2"
          task: "$4"
      - pattern: 'kafka.connect<type=(connector-task-metrics|source-task-metrics|sink-task-metrics|task-error-metrics), connector=(.+), task=(\d+)><>([a-z-]+)'
        name: kafka_connect_$1_$4
        type: GAUGE
        labels:
          connector: "$2"
          task: "$3"
      # Worker-wide metrics.
      - pattern: 'kafka.connect<type=connect-worker-metrics, connector=([^_]+)_(.+)><>([a-z-]+)'
        name: kafka_connect_worker_connector_$3
        type: GAUGE
        labels:
          connector: "$1_$2"
          team: "$1"
      - pattern: 'kafka.connect<type=connect-worker-metrics><>([a-z-]+)'
        name: kafka_connect_worker_$1
        type: GAUGE
      - pattern: 'kafka.connect<type=connect-worker-rebalance-metrics><>([a-z-]+)'
        name: kafka_connect_worker_rebalance_$1
        type: GAUGE

    """#
}
