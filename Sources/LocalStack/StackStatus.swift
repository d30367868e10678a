import ConnectClient
import Foundation

/// What runs in a local stack, as `switchboard dev status` shows it.
public struct StackStatus: Sendable {
    public struct Component: Sendable {
        public var name: String
        public var pid: Int32?
        /// Where to reach it (a REST URL, `host:port`, a PostgreSQL URL).
        public var address: String
        public var logFile: String
        /// For Connect workers: whether `/health` answered 200. Nil where there is no health check.
        public var healthy: Bool?
        /// For Connect workers: the release they run (`4.3.0`).
        public var release: String? = nil
        public var isRunning: Bool { pid != nil }
    }

    public var components: [Component]

    /// Whether every component runs (and every worker is healthy).
    public var isUp: Bool {
        !components.isEmpty && components.allSatisfy { $0.isRunning && $0.healthy != false }
    }
}

extension LocalStack {
    /// The state of every component of the configured stack, with a health check of each worker.
    public func status() async -> StackStatus {
        var components: [StackStatus.Component] = []
        let brokerDaemon = broker
        components.append(.init(name: "broker", pid: brokerDaemon.runningPID, address: configuration.bootstrapServers, logFile: brokerDaemon.logFile.path, healthy: nil))
        for (clusterIndex, cluster) in configuration.clusters.enumerated() {
            for number in 1...max(cluster.workers, 1) {
                let daemon = worker(cluster.name, number)
                let url = URL(string: "http://127.0.0.1:\(configuration.port(cluster: clusterIndex, worker: number - 1))")!
                let pid = daemon.runningPID
                var healthy: Bool? = nil
                if pid != nil {
                    let client = ConnectClient(endpoint: ConnectEndpoint(url: url), requestTimeout: .seconds(3), readRetry: .none)
                    healthy = (try? await client.isHealthy()) ?? false  // no answer within 3 s is what "unhealthy" reports
                }
                components.append(.init(name: daemon.name, pid: pid, address: url.absoluteString, logFile: daemon.logFile.path, healthy: healthy, release: cluster.version.release))
            }
        }
        if let postgres {
            components.append(.init(name: "PostgreSQL", pid: postgres.runningPID, address: postgres.connectionURL, logFile: postgres.logFile.path, healthy: nil))
        }
        return StackStatus(components: components)
    }
}
