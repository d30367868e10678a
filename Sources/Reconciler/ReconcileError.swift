import ConnectClient

/// Why reading or changing the clusters failed, naming the cluster.
public struct ReconcileError: Error, Sendable, CustomStringConvertible {
    public var cluster: String
    public var message: String

    public init(cluster: String, message: String) {
        self.cluster = cluster
        self.message = message
    }

    init(cluster: String, _ error: ConnectError) {
        self.init(cluster: cluster, message: error.description)
    }

    public var description: String { "Cluster \(cluster): \(message)" }
}

/// Several clusters failed; each is named.
public struct ClustersUnreachable: Error, Sendable, CustomStringConvertible {
    public var failures: [ReconcileError]
    public var description: String {
        failures.map(\.description).joined(separator: "\n")
    }
}
