import Foundation

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
    /// Who may do what here: the platform's `access:` as the cluster's own restricts it.
    public var access: AccessSettings
    /// What the GitOps controller does here: apply new commits or only show their plan, and
    /// correct or only report drift.
    public var gitops: GitOpsSettings
    /// The environment the cluster belongs to (`staging`, `prod`), one of `environments:`.
    public var environment: String?
    public var location: SourceLocation

    public init(name: String, urls: [String], basicAuth: BasicAuth? = nil, tls: TLS? = nil, allowedClasses: [String]? = nil, kafka: Kafka? = nil,
                kubernetes: KubernetesSettings = KubernetesSettings(), access: AccessSettings = AccessSettings(), gitops: GitOpsSettings = GitOpsSettings(), environment: String? = nil, location: SourceLocation) {
        self.gitops = gitops
        self.environment = environment
        self.name = name
        self.urls = urls
        self.basicAuth = basicAuth
        self.tls = tls
        self.allowedClasses = allowedClasses
        self.kafka = kafka
        self.kubernetes = kubernetes
        self.access = access
        self.location = location
    }

    /// A worker URL reduced to what identifies the worker: `host:port/path`, with the host in
    /// lower case, the scheme's default port filled in, and every loopback name written
    /// `loopback` (so `http://localhost:8083/` and `http://127.0.0.1:8083` are one worker).
    public static func workerAddress(_ text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), var host = components.host?.lowercased() else { return nil }
        if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
        if ["localhost", "127.0.0.1", "::1", "0.0.0.0", "localhost.localdomain", "ip6-localhost"].contains(host) || host.hasPrefix("127.") {
            host = "loopback"
        }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        return "\(host):\(port)\(path)"
    }
}
