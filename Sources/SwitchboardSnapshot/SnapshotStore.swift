import ConnectClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import Reconciler
import SwitchboardAPI
import SwitchboardCore

/// What follows the snapshots: the data flow (its lineage is built before a snapshot is
/// published), the metrics, and anything else that derives from each new picture. The store
/// knows them only through this protocol.
public protocol SnapshotObserver: Sendable {
    /// A new snapshot, before any page can see it (in order, one at a time).
    func prepare(_ snapshot: Snapshot, catalog: Catalog)
    /// The new snapshot, now current.
    func published(_ snapshot: Snapshot)
    /// A cluster could not be read at a poll.
    func readFailed(cluster: String)
    /// The current snapshot amended (the auto-restart controller's word on some connectors):
    /// the same reads and connectors as `previous`, a new `takenAt`. By default, as `published`.
    func amended(_ snapshot: Snapshot, previous: Snapshot)
}

extension SnapshotObserver {
    public func prepare(_ snapshot: Snapshot, catalog: Catalog) {}
    public func published(_ snapshot: Snapshot) {}
    public func readFailed(cluster: String) {}
    public func amended(_ snapshot: Snapshot, previous: Snapshot) { published(snapshot) }
}

/// Holds the current ``Snapshot`` and refreshes it from the clusters: one bulk call per cluster
/// per refresh (plugins and version every few refreshes). A cluster that fails keeps its last
/// good connectors, marked with the error and its time, so pages still render.
///
/// Pages, the API and the controllers read ``current``; what derives from each snapshot
/// (lineage, metrics) is told through ``SnapshotObserver``s.
public final class SnapshotStore: Sendable {
    let logger: Logger
    private let observers = NIOLockedValueBox<[any SnapshotObserver]>([])
    private let state = NIOLockedValueBox(State())
    private let installing = NIOLock()
    /// What the last build made of each connector (touched only while `installing` is held).
    private let memo = NIOLockedValueBox(ViewMemo())

    /// The catalog the server shows and acts on, and clients for its clusters: fixed at start,
    /// or the last good commit when the GitOps controller follows a repository.
    private let source: NIOLockedValueBox<(catalog: Catalog, connections: ClusterConnections)>

    struct State {
        var snapshot = Snapshot.empty
        var reads: [String: ClusterRead] = [:]
        /// What the auto-restart controller last said of each connector it restarted.
        var restarts: [String: AutoRestartStatus] = [:]
        /// Numbers the reads: a snapshot built from older reads never replaces a newer one.
        var generation = 0
        var installedGeneration = 0
    }

    public init(catalog: Catalog, connections: ClusterConnections, logger: Logger = Logger(label: "switchboard.snapshot")) {
        self.source = NIOLockedValueBox((catalog, connections))
        self.logger = logger
    }

    /// Tells `observer` of every snapshot from now on, and of the current one at once.
    public func observe(_ observer: any SnapshotObserver) {
        installing.withLock {
            observers.withLockedValue { $0.append(observer) }
            let snapshot = current
            observer.prepare(snapshot, catalog: catalog)
            observer.published(snapshot)
        }
    }

    public var catalog: Catalog { source.withLockedValue { $0.catalog } }
    public var connections: ClusterConnections { source.withLockedValue { $0.connections } }

    /// Serves another catalog from now on (a new good commit), and rebuilds the snapshot from
    /// what was last read (clusters the new catalog adds show once read at the next poll).
    public func replace(catalog: Catalog, connections: ClusterConnections) {
        installing.withLock {
            source.withLockedValue { $0 = (catalog, connections) }
            memo.withLockedValue { $0 = ViewMemo() }
        }
        republish()
    }

    /// Every secret value on `cluster` as last read (the values of its connectors' secret keys):
    /// text relayed from the cluster's data, such as dead-letter headers, is scrubbed with them.
    public func secretValues(cluster: String) -> Set<String> {
        memo.withLockedValue { $0.clusterSecrets[cluster] ?? [] }
    }

    /// The latest snapshot (never waits for Connect).
    public var current: Snapshot { state.withLockedValue { $0.snapshot } }

    /// Shows the auto-restart controller's latest word on each connector it restarted or gave up
    /// on, at once (no Connect call): the current snapshot with those connectors' views amended,
    /// not rebuilt (at 20,000 connectors the controller decides something at nearly every poll).
    /// A build under way takes the new word too.
    public func publish(restarts: [String: AutoRestartStatus]) async {
        await BackgroundWork.run { self.amend(restarts: restarts) }
    }

    func amend(restarts: [String: AutoRestartStatus]) {
        installing.withLock {
            let (before, base) = state.withLockedValue { state -> ([String: AutoRestartStatus], Snapshot) in
                defer { state.restarts = restarts }
                return (state.restarts, state.snapshot)
            }
            var snapshot = base
            for key in Set(before.keys).union(restarts.keys) where before[key] != restarts[key] {
                guard var view = snapshot.connectors[key] else { continue }
                Snapshot.setRestartStatus(restarts[key], on: &view)
                snapshot.connectors[key] = view
            }
            snapshot.takenAt = Date()
            // As with a new snapshot: what derives from it is ready before a page can see it.
            for observer in observers.withLockedValue({ $0 }) { observer.amended(snapshot, previous: base) }
            state.withLockedValue { $0.snapshot = snapshot }
        }
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
            let (installed, restarts) = state.withLockedValue { ($0.installedGeneration, $0.restarts) }
            guard generation > installed else { return }
            let catalog = self.catalog
            let snapshot = memo.withLockedValue { memo in
                Snapshot.build(catalog: catalog, reads: reads.filter { catalog.cluster(named: $0.key) != nil }, restarts: restarts, memo: &memo)
            }
            let observers = self.observers.withLockedValue { $0 }
            // What derives from the snapshot (the lineage) is ready before any page can see it.
            for observer in observers { observer.prepare(snapshot, catalog: catalog) }
            state.withLockedValue { state in
                state.installedGeneration = generation
                state.snapshot = snapshot
            }
            for observer in observers { observer.published(snapshot) }
        }
    }

    /// Rebuilds the snapshot from the reads it was built from (no Connect call): a new catalog,
    /// or the auto-restart controller's word, shows on pages, API and metrics at once.
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
                    merged.bulk = fresh.bulk
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
        let observers = self.observers.withLockedValue { $0 }
        for (name, fresh) in results where fresh.connectors == nil {
            for observer in observers { observer.readFailed(cluster: name) }
        }
        let started = ContinuousClock.now
        // Off the pool that answers requests: pages are served while thousands of views are built.
        await BackgroundWork.run {
            self.install(reads, generation: generation)
            FreedMemory.giveBack()
        }
        logger.debug("Refreshed the snapshot", metadata: ["connectors": "\(reads.values.reduce(0) { $0 + ($1.connectors?.count ?? 0) })", "build": "\(ContinuousClock.now - started)"])
    }

    func read(_ cluster: String, details: Bool) async -> ClusterRead {
        var read = ClusterRead()
        do {
            let client = try self.connections.client(cluster)
            let started = ContinuousClock.now
            let earlier = state.withLockedValue { $0.reads[cluster]?.bulk }
            let bulk = try await client.connectors(reusing: earlier)
            (read.connectors, read.bulk) = (bulk.connectors, bulk)
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

