import ConnectClient
import Foundation
import Outbound
import SwitchboardCore

/// What runs on the clusters, read with two calls per cluster: `GET /health` (an early
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
    /// How long reading one cluster may take in all, waiting for a starting worker included.
    public var deadline: Duration

    public init(connections: ClusterConnections, deadline: Duration = HTTPPolicy.defaultTimeout) {
        self.connections = connections
        self.deadline = deadline
    }

    /// Reads every named cluster concurrently. Throws ``ClustersUnreachable`` naming every cluster
    /// that could not be read, so that nothing is planned or applied on a partial picture; and
    /// when two catalog clusters turn out to be one Connect cluster (workers in common).
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
        let state = LiveState(clusters: clusters)
        let shared = state.sharedWorkers()
        guard shared.isEmpty else {
            throw ClustersUnreachable(failures: shared.map { first, second, workers in
                ReconcileError(cluster: first, message: "is the same Connect cluster as '\(second)': the worker\(workers.count == 1 ? "" : "s") \(workers.joined(separator: ", ")) run\(workers.count == 1 ? "s" : "") connectors of both. Each would delete the other's connectors, so nothing is planned. Define each Connect cluster once in switchboard.yaml.")
            })
        }
        return state
    }

    /// Reads one cluster within ``deadline``.
    public func read(cluster name: String) async throws(ReconcileError) -> LiveState.Cluster {
        let client = try connections.client(name)
        let deadline = self.deadline
        let seen = SeenHealth()
        do {
            return try await withDeadline(deadline) {
                try await waitReady(client, seen: seen)
                let connectors = try await client.connectors()
                return LiveState.Cluster(name: name, connectors: connectors, readAt: Date())
            }
        } catch let error as ConnectError {
            // A last request that ran into the deadline while the worker said it was starting:
            // what it said is the useful part.
            if let last = seen.last, error.status == nil {
                throw ReconcileError(cluster: name, message: Self.stillStarting(last, deadline))
            }
            throw ReconcileError(cluster: name, error)
        } catch let error as DeadlineExceeded {
            throw ReconcileError(cluster: name, message: seen.last.map { Self.stillStarting($0, deadline) }
                                 ?? error.seen.map { "\($0) within \(HTTPPolicy.seconds(deadline))" }
                                 ?? "no answer within \(HTTPPolicy.seconds(deadline)) from \(client.endpoint.urls.map(\.absoluteString).joined(separator: ", "))")
        } catch {
            throw ReconcileError(cluster: name, message: "\(error)")
        }
    }

    static func stillStarting(_ seen: String, _ deadline: Duration) -> String {
        "its worker \(seen) for \(HTTPPolicy.seconds(deadline)): the worker is starting or busy (--timeout waits longer), or this is not a Kafka Connect URL"
    }

    /// What the last `/health` answer said, for the message when the deadline passes.
    final class SeenHealth: @unchecked Sendable {
        private let lock = NSLock()
        private var value: String?
        var last: String? {
            get { lock.withLock { value } }
            set { lock.withLock { value = newValue } }
        }
    }

    func waitReady(_ client: ConnectClient, seen: SeenHealth) async throws {
        while case .starting(let what) = try await client.health() {
            seen.last = what
            try await Task.sleep(for: .seconds(1))
        }
    }
}

extension LiveState {
    /// Pairs of clusters whose bulk status names the same worker (`host:port`): one Connect
    /// cluster under two catalog names.
    func sharedWorkers() -> [(String, String, [String])] {
        let workers = clusters.mapValues { cluster in
            Set(cluster.connectors.values.flatMap(\.workerIDs))
        }
        let names = workers.keys.sorted()
        var pairs: [(String, String, [String])] = []
        for (index, first) in names.enumerated() {
            for second in names[(index + 1)...] {
                let common = workers[first]!.intersection(workers[second]!)
                if !common.isEmpty { pairs.append((first, second, common.sorted())) }
            }
        }
        return pairs
    }
}
