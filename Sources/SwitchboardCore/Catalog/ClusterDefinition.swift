/// A Kafka Connect cluster as `switchboard.yaml` defines it.
public struct ClusterDefinition: Sendable, Equatable {
    /// Basic-auth credentials; the password is never in the catalog, only where to read it from.
    public struct BasicAuth: Sendable, Equatable {
        public var username: String
        /// An environment variable holding the password.
        public var passwordEnv: String?
        /// A file holding the password.
        public var passwordFile: String?
    }

    public struct TLS: Sendable, Equatable {
        public var caFile: String?
        public var insecureSkipVerify: Bool
    }

    /// How to reach the Kafka-protocol broker the cluster uses (for sink lag, and for the
    /// Kubernetes manifests). Secrets by reference only.
    public struct Kafka: Sendable, Equatable {
        public var bootstrapServers: String
        /// PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.
        public var securityProtocol: String?
        public var saslMechanism: String?
        public var saslUsername: String?
        /// An environment variable holding the SASL password.
        public var saslPasswordEnv: String?
    }

    public var name: String
    /// Worker REST URLs, tried in order.
    public var urls: [String]
    public var basicAuth: BasicAuth?
    public var tls: TLS?
    /// Connector classes allowed on this cluster; nil means the policy's list applies.
    public var allowedClasses: [String]?
    public var kafka: Kafka?
    /// How `render kubernetes` deploys the cluster (the platform defaults merged with its own).
    public var kubernetes = KubernetesSettings()
    public var location: SourceLocation
}
