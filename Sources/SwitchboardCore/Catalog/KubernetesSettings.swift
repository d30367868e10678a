/// How `switchboard render kubernetes` deploys Connect clusters and the Switchboard server:
/// `kubernetes:` at the top of switchboard.yaml sets platform-wide defaults, and a cluster's own
/// `kubernetes:` overrides them for that cluster.
public struct KubernetesSettings: Sendable, Equatable {
    public var namespace = "kafka-connect"
    /// The Connect worker image: Apache Kafka's (`/opt/kafka/bin/connect-distributed.sh`) plus the
    /// JMX exporter agent, built from deploy/connect-image/Dockerfile. It carries no connector plugins.
    public var connectImage = "switchboard-connect:3.9.0"
    /// Where the worker image holds the Prometheus JMX exporter agent jar.
    public var jmxExporterAgent = "/opt/jmx-exporter/jmx_prometheus_javaagent.jar"
    /// The `switchboard` image: the plugin init container and the server.
    public var switchboardImage = "switchboard:latest"
    public var oauth2ProxyImage = "quay.io/oauth2-proxy/oauth2-proxy:v7.7.1"
    /// The artifact store as the pods reach it; nil means plugins.yaml's `store.url`.
    public var pluginStore: String?
    public var replicas = 3
    /// The HorizontalPodAutoscaler's ceiling and CPU target (percent of the request).
    public var maxReplicas = 6
    public var targetCPUUtilization = 70
    /// Requests; the memory limit equals the request (a JVM should not be overcommitted).
    public var cpu = "500m"
    public var memory = "2Gi"
    /// The JVM heap (-Xmx and -Xms).
    public var heap = "1g"
    /// Replication factor of the cluster's config, offset and status topics.
    public var replicationFactor = 3
    /// Render a ServiceMonitor and a PrometheusRule (the Prometheus operator's resources).
    public var prometheusOperator = false
    /// Extra worker properties (no secrets: use `${env:...}` or `${file:...}` references).
    public var workerConfig: [String: String] = [:]
    /// A Secret whose key `url` holds the server's PostgreSQL URL: the server then runs
    /// ``serverReplicas`` replicas on it instead of one on a SQLite volume.
    public var serverDatabaseSecret: String?
    public var serverReplicas = 2

    public init() {}
}
