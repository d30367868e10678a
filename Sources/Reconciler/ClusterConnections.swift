import ConnectClient
import Foundation
import Logging
import Outbound
import SwitchboardCore

/// A ``ConnectClient`` for each cluster of the catalog, with credentials read from where the
/// catalog says (an environment variable or a file), never from the catalog itself.
public struct ClusterConnections: Sendable {
    public let clients: [String: ConnectClient]

    public init(clients: [String: ConnectClient]) {
        self.clients = clients
    }

    /// Builds the clients; throws when a cluster's password cannot be read. `timeout` bounds
    /// every request (and the retries of a read). Each client logs to `logger` with its cluster's
    /// name (every request at debug level: `SWITCHBOARD_LOG_LEVEL=debug`).
    public init(catalog: Catalog, timeout: Duration = HTTPPolicy.defaultTimeout, environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger = Logger(label: "switchboard")) throws(ReconcileError) {
        try self.init(clusters: catalog.clusters, timeout: timeout, environment: environment, logger: logger)
    }

    public init(clusters: [ClusterDefinition], timeout: Duration = HTTPPolicy.defaultTimeout, environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger = Logger(label: "switchboard")) throws(ReconcileError) {
        var clients: [String: ConnectClient] = [:]
        for cluster in clusters {
            var clusterLogger = logger
            clusterLogger[metadataKey: "cluster"] = "\(cluster.name)"
            clients[cluster.name] = try Self.client(for: cluster, timeout: timeout, environment: environment, logger: clusterLogger)
        }
        self.clients = clients
    }

    public func client(_ cluster: String) throws(ReconcileError) -> ConnectClient {
        guard let client = clients[cluster] else {
            throw ReconcileError(cluster: cluster, message: "is not defined in switchboard.yaml")
        }
        return client
    }

    static func client(for cluster: ClusterDefinition, timeout: Duration, environment: [String: String], logger: Logger) throws(ReconcileError) -> ConnectClient {
        let urls = cluster.urls.compactMap(URL.init(string:))
        guard !urls.isEmpty else {
            throw ReconcileError(cluster: cluster.name, message: "has no usable URL")
        }
        var basicAuth: ConnectEndpoint.BasicAuth?
        if let auth = cluster.basicAuth {
            basicAuth = .init(username: auth.username, password: try password(auth, cluster: cluster.name, environment: environment))
        }
        let tls = cluster.tls.map { ConnectEndpoint.TLS(caFile: $0.caFile, insecureSkipVerify: $0.insecureSkipVerify) }
        return ConnectClient(endpoint: ConnectEndpoint(urls: urls, basicAuth: basicAuth, tls: tls), requestTimeout: timeout,
                             readRetry: RetryPolicy(maxAttempts: 5, maxElapsed: timeout), logger: logger)
    }

    static func password(_ auth: ClusterDefinition.BasicAuth, cluster: String, environment: [String: String]) throws(ReconcileError) -> String {
        if let variable = auth.passwordEnv {
            guard let value = environment[variable], !value.isEmpty else {
                throw ReconcileError(cluster: cluster, message: "its basic-auth password is read from $\(variable), which is not set")
            }
            return value
        }
        if let file = auth.passwordFile {
            do {
                return try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ReconcileError(cluster: cluster, message: "its basic-auth password file \(file) cannot be read (\((error as NSError).localizedDescription))")
            }
        }
        throw ReconcileError(cluster: cluster, message: "basic auth has no passwordEnv or passwordFile")
    }
}
