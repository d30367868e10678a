import Foundation
import SwitchboardCore

/// What the local stack runs: one broker, one or more Connect clusters of N workers each,
/// and optionally PostgreSQL for Debezium CDC. Every process listens on 127.0.0.1 only.
public struct StackConfiguration: Sendable, Equatable {
    /// One Connect cluster: a distributed worker group with its own group id and storage topics.
    public struct Cluster: Sendable, Equatable {
        public var name: String
        public var workers: Int
        /// A plugin.path filled by someone else (a test running `plugins install`); nil lets the
        /// stack fill `clusters/<name>/plugins` itself.
        public var pluginPath: URL?
        /// Jars (name prefixes) left off this cluster's classpath, to load them as plugins instead.
        public var classpathExclusions: [String]
        /// The Connect release its workers run.
        public var version: ConnectVersion
        public init(name: String, workers: Int = 1, pluginPath: URL? = nil, classpathExclusions: [String] = [], version: ConnectVersion = .standard) {
            self.name = name
            self.workers = workers
            self.pluginPath = pluginPath
            self.classpathExclusions = classpathExclusions
            self.version = version
        }
    }

    /// Which plugins the stack installs into its clusters' plugin.path.
    public enum Plugins: Sendable, Equatable {
        /// The Debezium PostgreSQL connector on every cluster, from a store in the stack's home.
        case bundled
        /// Each cluster's set from a catalog's plugins.yaml (its relative paths resolve against `base`).
        case manifest(PluginManifest, base: URL)
    }

    /// The folder that holds this stack's state, logs and pid files (for example `.switchboard/dev`).
    public var home: URL
    /// Downloads and unpacked distributions, shared by every stack of the project.
    public var cache: URL
    public var brokerPort: Int
    /// Worker `w` (from 0) of cluster `c` (from 0) listens on `connectBasePort + 10*c + w`.
    public var connectBasePort: Int
    public var clusters: [Cluster]
    /// Start PostgreSQL (wal_level=logical) on this port; nil for none.
    public var postgresPort: Int?
    /// The JVM heap of each worker.
    public var workerHeap: String
    /// How long a worker may take to answer `/health` 200.
    public var healthTimeout: Duration
    public var plugins: Plugins

    public init(
        home: URL,
        cache: URL? = nil,
        brokerPort: Int = 19092,
        connectBasePort: Int = 18083,
        clusters: [Cluster] = [Cluster(name: "dev")],
        postgresPort: Int? = nil,
        workerHeap: String = "512m",
        healthTimeout: Duration = .seconds(240),
        plugins: Plugins = .bundled
    ) {
        self.home = home
        self.cache = cache ?? home.deletingLastPathComponent().appendingPathComponent("cache")
        self.brokerPort = brokerPort
        self.connectBasePort = connectBasePort
        self.clusters = clusters
        self.postgresPort = postgresPort
        self.workerHeap = workerHeap
        self.healthTimeout = healthTimeout
        self.plugins = plugins
    }

    /// The REST port of a worker.
    public func port(cluster index: Int, worker: Int) -> Int {
        connectBasePort + 10 * index + worker
    }

    /// The REST URLs of a cluster's workers, in worker order.
    public func workerURLs(of cluster: String) -> [URL] {
        guard let index = clusters.firstIndex(where: { $0.name == cluster }) else { return [] }
        return (0..<clusters[index].workers).map { URL(string: "http://127.0.0.1:\(port(cluster: index, worker: $0))")! }
    }

    /// Every Connect release the clusters run.
    public var versions: Set<ConnectVersion> { Set(clusters.map(\.version)) }

    /// `127.0.0.1:PORT` of the broker.
    public var bootstrapServers: String { "127.0.0.1:\(brokerPort)" }
}
