import ConnectClient
import Foundation
import Outbound

/// Reads and sets a cluster's logger levels (KIP-495, KIP-976): the one place that decides how
/// a level reaches every worker, by the cluster's release (in one call from 3.7; worker by
/// worker before). The web (for a person, after its permission check) and the controller that
/// restores levels both write through here.
public struct LogLevels: Sendable {
    let connections: ClusterConnections
    var retry: RetryPolicy

    public init(connections: ClusterConnections, retry: RetryPolicy = ConnectorOperations.forControllers) {
        self.connections = connections
        self.retry = retry
    }

    /// What a cluster says: its release and the loggers that have a level set.
    public struct Reading: Sendable {
        public var release: String
        public var loggers: [String: LoggerLevel]
    }

    public func read(cluster: String) async throws -> Reading {
        let client = try connections.client(cluster)
        async let info = client.serverInfo()
        async let loggers = client.loggers()
        return try await Reading(release: info.version, loggers: loggers)
    }

    /// The level `logger` has on `cluster` now: its own, or, when it has none (Connect answers
    /// 404 for a logger nobody set), the one it inherits from its nearest ancestor with a level
    /// (`root` at the least). What to put back later.
    public func current(_ logger: String, cluster: String) async throws -> String {
        let client = try connections.client(cluster)
        do {
            return try await client.logger(logger).level
        } catch let error as ConnectError where error.status == 404 {
            let all = try await client.loggers()
            return Self.inherited(logger, from: all.mapValues(\.level)) ?? "INFO"  // log4j's default, when even root says nothing
        }
    }

    /// The level of the nearest ancestor of `logger` (by its dotted parts) that has one, else root's.
    static func inherited(_ logger: String, from levels: [String: String]) -> String? {
        var parts = logger.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            if let level = levels[parts.joined(separator: ".")] { return level }
            parts.removeLast()
        }
        return levels["root"]
    }

    /// Sets `logger` to `level` on every worker of `cluster`.
    public func set(_ logger: String, to level: String, cluster: String) async throws {
        let client = try connections.client(cluster)
        let release = try await client.serverInfo().version
        if ConnectRelease(release)?.supports(.clusterLogLevels) == true {
            try await retry.run { try await client.setLogger(logger, level: level, scope: .cluster) }
        } else {
            for worker in client.endpoint.urls {
                try await retry.run { try await client.setLogger(logger, level: level, scope: .worker(worker)) }
            }
        }
    }
}
