import ConnectClient
import Foundation
import KafkaLag
import Logging
import NIOConcurrencyHelpers
import Reconciler
import SwitchboardCore

/// Holds the current ``Snapshot`` and refreshes it from the clusters: one bulk call per cluster
/// per refresh (plugins and version every few refreshes). A cluster that fails keeps its last
/// good connectors, marked with the error and its time, so pages still render.
public final class SnapshotStore: Sendable {
    let logger: Logger
    /// Updated after every refresh and lag read.
    public let metrics: ServerMetrics
    /// The auto-restart controller's counts; each snapshot shows them.
    public let restarts = RestartBook()
    /// Topics, history and ranges of the lineage and the charts.
    public let flow: DataFlow
    private let state = NIOLockedValueBox(State())
    private let installing = NIOLock()

    /// The catalog the server shows and acts on, and clients for its clusters: fixed at start,
    /// or the last good commit when the GitOps controller follows a repository.
    private let source: NIOLockedValueBox<(catalog: Catalog, connections: ClusterConnections)>

    struct State {
        var snapshot = Snapshot.empty
        var reads: [String: ClusterRead] = [:]
        var lag: [String: SinkLag] = [:]
        var rates: [String: Double] = [:]
        /// Numbers the reads: a snapshot built from older reads never replaces a newer one.
        var generation = 0
        var installedGeneration = 0
    }

    public init(catalog: Catalog, connections: ClusterConnections, metrics: ServerMetrics = ServerMetrics(), flow: DataFlow = DataFlow(), logger: Logger = Logger(label: "switchboard.snapshot")) {
        self.source = NIOLockedValueBox((catalog, connections))
        self.flow = flow
        self.metrics = metrics
        self.logger = logger
    }

    public var catalog: Catalog { source.withLockedValue { $0.catalog } }
    public var connections: ClusterConnections { source.withLockedValue { $0.connections } }

    /// Serves another catalog from now on (a new good commit), and rebuilds the snapshot from
    /// what was last read (clusters the new catalog adds show once read at the next poll).
    public func replace(catalog: Catalog, connections: ClusterConnections) {
        source.withLockedValue { $0 = (catalog, connections) }
        republish()
    }

    /// The latest snapshot (never waits for Connect).
    public var current: Snapshot { state.withLockedValue { $0.snapshot } }

    /// The latest lag of sink connectors, by connector key (`cluster/name`).
    public var lag: [String: SinkLag] { state.withLockedValue { $0.lag } }

    /// Records a round of the lag poller: lag and throughput replace those of `clusters`, and
    /// each reading goes into the history.
    public func setReadings(_ readings: [String: LagPoller.Reading], clusters: Set<String>, at date: Date = Date()) {
        var rates: [String: Double] = [:]
        for (key, reading) in readings {
            rates[key] = flow.history.record(key, lag: reading.lag?.total, counter: reading.counter, at: date)
        }
        let lag = readings.compactMapValues(\.lag)
        let (snapshot, all, allRates) = state.withLockedValue { state -> (Snapshot, [String: SinkLag], [String: Double]) in
            let kept = { (key: String) in !clusters.contains(ConnectorView.parts(ofKey: key).cluster) }
            state.lag = state.lag.filter { kept($0.key) }.merging(lag) { $1 }
            state.rates = state.rates.filter { kept($0.key) }.merging(rates) { $1 }
            return (state.snapshot, state.lag, state.rates)
        }
        metrics.update(snapshot, lag: all, rates: allRates)
    }

    /// Replaces what is known of the clusters (restoring a picture, or seeding one in tests).
    public func load(_ reads: [String: ClusterRead]) {
        let generation = state.withLockedValue { state -> Int in
            state.reads = reads
            state.generation += 1
            return state.generation
        }
        install(reads, generation: generation)
    }

    /// Builds a snapshot from `reads` outside the lock (it takes a while for thousands of
    /// connectors, and pages read `current` meanwhile), then installs it unless a newer one is.
    func install(_ reads: [String: ClusterRead], generation: Int) {
        // One install at a time, so that the metrics follow the snapshots in order.
        installing.withLock {
            guard generation > state.withLockedValue({ $0.installedGeneration }) else { return }
            let snapshot = Snapshot.build(catalog: catalog, reads: reads.filter { catalog.cluster(named: $0.key) != nil }, restarts: restarts.statuses)
            // The lineage of the snapshot is ready before any page can see the snapshot.
            flow.topics.retain(Set(snapshot.connectors.keys))
            flow.prepare(snapshot, catalog: catalog)
            let (lag, rates) = state.withLockedValue { state -> ([String: SinkLag], [String: Double]) in
                state.installedGeneration = generation
                state.snapshot = snapshot
                return (state.lag, state.rates)
            }
            metrics.update(snapshot, lag: lag, rates: rates)
            flow.history.observe(snapshot)
        }
    }

    /// Rebuilds the snapshot from the reads it was built from (no Connect call), so that what
    /// the auto-restart controller just decided shows on pages, API and metrics at once.
    public func republish() {
        let (reads, generation) = state.withLockedValue { state -> ([String: ClusterRead], Int) in
            state.generation += 1
            return (state.reads, state.generation)
        }
        install(reads, generation: generation)
    }

    /// Reads every cluster concurrently and rebuilds the snapshot. With `details`, also each
    /// cluster's Connect version and plugins.
    public func refresh(details: Bool = false) async {
        let catalog = self.catalog
        let results = await withTaskGroup(of: (String, ClusterRead).self) { group in
            for cluster in catalog.clusters {
                group.addTask { (cluster.name, await self.read(cluster.name, details: details)) }
            }
            var results: [(String, ClusterRead)] = []
            for await result in group { results.append(result) }
            return results
        }
        let (reads, generation) = state.withLockedValue { state -> ([String: ClusterRead], Int) in
            for (name, fresh) in results {
                var merged = state.reads[name] ?? ClusterRead()
                if let connectors = fresh.connectors {
                    merged.connectors = connectors
                    merged.readAt = fresh.readAt
                    merged.lastError = nil
                    merged.lastErrorAt = nil
                } else {
                    merged.lastError = fresh.lastError
                    merged.lastErrorAt = fresh.lastErrorAt
                }
                if let plugins = fresh.plugins { merged.plugins = plugins }
                if let version = fresh.version { merged.version = version }
                state.reads[name] = merged
            }
            state.generation += 1
            return (state.reads, state.generation)
        }
        for (name, fresh) in results where fresh.connectors == nil {
            metrics.pollFailed(cluster: name)
        }
        let started = ContinuousClock.now
        install(reads, generation: generation)
        logger.debug("Refreshed the snapshot", metadata: ["connectors": "\(reads.values.reduce(0) { $0 + ($1.connectors?.count ?? 0) })", "build": "\(ContinuousClock.now - started)"])
    }

    func read(_ cluster: String, details: Bool) async -> ClusterRead {
        var read = ClusterRead()
        do {
            let client = try self.connections.client(cluster)
            let started = ContinuousClock.now
            read.connectors = try await client.connectors()
            read.readAt = Date()
            logger.debug("Read the cluster", metadata: ["cluster": "\(cluster)", "took": "\(ContinuousClock.now - started)"])
            if details {
                // Extras of the cluster page: the connectors read above decide reachability, and a
                // failure here is logged and leaves the fields empty.
                do {
                    read.version = try await client.serverInfo().version
                    read.plugins = try await client.plugins().map { ClusterView.Plugin(className: $0.className, type: $0.type, version: $0.version) }
                } catch {
                    logger.notice("Cannot read the version and plugins", metadata: ["cluster": "\(cluster)", "error": "\(error)"])
                }
            }
        } catch {
            read.lastError = (error as? ConnectError)?.description ?? "\(error)"
            read.lastErrorAt = Date()
            logger.warning("Cluster could not be read", metadata: ["cluster": "\(cluster)", "error": "\((error as? ConnectError)?.shortDescription ?? "error")"])
        }
        return read
    }
}
