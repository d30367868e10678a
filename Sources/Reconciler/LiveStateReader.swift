import ConnectClient
import Foundation
import SwitchboardCore

/// What runs on the clusters, read with at most two calls per cluster: `GET /health` (an early
/// `GET /connectors` can answer an empty list before the worker has read its config topic) and
/// one bulk `GET /connectors?expand=info&expand=status`.
public struct LiveState: Sendable {
    public struct Cluster: Sendable {
        public var name: String
        public var connectors: [String: ConnectorSnapshot]
        public var readAt: Date
    }

    public var clusters: [String: Cluster]

    /// The connectors of each cluster as the planner takes them.
    public var liveConnectors: [String: [LiveConnector]] {
        clusters.mapValues { cluster in
            cluster.connectors.map { name, snapshot in
                LiveConnector(name: name, config: snapshot.info?.config, state: snapshot.state?.rawValue)
            }
        }
    }
}

public struct LiveStateReader: Sendable {
    public let connections: ClusterConnections
    /// How long to wait for a starting worker (503 on /health) before giving up.
    public var readyTimeout: Duration

    public init(connections: ClusterConnections, readyTimeout: Duration = .seconds(60)) {
        self.connections = connections
        self.readyTimeout = readyTimeout
    }

    /// Reads every named cluster concurrently. Throws ``ClustersUnreachable`` naming every cluster
    /// that could not be read, so that nothing is planned or applied on a partial picture.
    public func read(clusters names: [String]) async throws(ClustersUnreachable) -> LiveState {
        let results = await withTaskGroup(of: Result<LiveState.Cluster, ReconcileError>.self) { group in
            for name in names {
                group.addTask {
                    do throws(ReconcileError) {
                        return .success(try await read(cluster: name))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var results: [Result<LiveState.Cluster, ReconcileError>] = []
            for await result in group { results.append(result) }
            return results
        }
        var clusters: [String: LiveState.Cluster] = [:]
        var failures: [ReconcileError] = []
        for result in results {
            switch result {
            case .success(let cluster): clusters[cluster.name] = cluster
            case .failure(let error): failures.append(error)
            }
        }
        guard failures.isEmpty else {
            throw ClustersUnreachable(failures: failures.sorted { $0.cluster < $1.cluster })
        }
        return LiveState(clusters: clusters)
    }

    /// Reads one cluster.
    public func read(cluster name: String) async throws(ReconcileError) -> LiveState.Cluster {
        let client = try connections.client(name)
        do {
            try await waitReady(client, cluster: name)
            let connectors = try await client.connectors()
            return LiveState.Cluster(name: name, connectors: connectors, readAt: Date())
        } catch let error as ConnectError {
            throw ReconcileError(cluster: name, error)
        } catch let error as ReconcileError {
            throw error
        } catch {
            throw ReconcileError(cluster: name, message: "\(error)")
        }
    }

    func waitReady(_ client: ConnectClient, cluster: String) async throws {
        let deadline = ContinuousClock.now + readyTimeout
        while try await !client.isHealthy() {
            guard ContinuousClock.now < deadline else {
                throw ReconcileError(cluster: cluster, message: "its worker did not become ready (/health) within \(readyTimeout)")
            }
            try await Task.sleep(for: .seconds(1))
        }
    }
}
