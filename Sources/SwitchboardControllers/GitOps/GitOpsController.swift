import ConnectClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import Reconciler
import ServiceLifecycle
import SwitchboardAPI
import SwitchboardCore
import SwitchboardMetrics
import SwitchboardSnapshot
import SwitchboardStorage

/// Follows a catalog repository and keeps the clusters on its newest good commit.
///
/// Each sync (every interval, and at once when a signed webhook arrives): fetch the branch;
/// a new commit is checked out and loaded with every check of `validate` (a commit with
/// problems is refused, the last good one stays, and the UI says why); the served catalog is
/// replaced; then every cluster is read (one bulk read each) and planned. A cluster in `auto`
/// mode gets the plan applied with every guard of `apply` (the deletion limit, `protect`,
/// Connect's validation before the first write) when the commit is new to it, when its last
/// apply failed, or when it corrects drift; otherwise its plan is shown as pending (manual
/// mode) or as drift (report). Each sync that writes is audited as done by
/// ``GitOpsController/user`` with the commit. Syncs never overlap.
public final class GitOpsController: Service, Sendable {
    /// The name the audit log gives the controller's writes.
    public static let user = "switchboard:gitops"

    let store: SnapshotStore
    let audit: AuditLog
    public let metrics: ServerMetrics
    public let repository: GitRepository
    let interval: Duration
    /// The deadline of a cluster read; writes get the applier's own.
    let timeout: Duration
    let applyOptions: Applier.Options
    let ledger: GitOpsLedger
    /// Whether this replica runs the controller now (always, with one replica).
    let lease: any ControllerLease
    /// Set when the server stops: no new sync starts, and an apply under way writes nothing more.
    let lifecycle: ReplicaLifecycle
    let logger: Logger
    let state: NIOLockedValueBox<GitOpsStatus>
    /// Clusters someone asked to apply now (also in manual mode), taken by the next sync.
    let requested = NIOLockedValueBox<[String: String]>([:])
    let wakeup = Wakeup()
    /// How the last apply of each cluster ended (applied, failed or refused): what decides a
    /// retry, whatever the syncs in between saw (an unreachable cluster, say).
    let lastApply = NIOLockedValueBox<[String: ClusterSync.Result]>([:])
    /// Clusters in maintenance: their plans are shown, never applied, until it ends.
    public let maintenance: MaintenanceBook?

    /// `served`: the commit the server starts with (``start(repository:audit:timeout:logger:)``).
    public init(store: SnapshotStore, audit: AuditLog, metrics: ServerMetrics, repository: GitRepository, served: GitOpsStart, interval: Duration, timeout: Duration,
                lifecycle: ReplicaLifecycle = ReplicaLifecycle(), maintenance: MaintenanceBook? = nil, logger: Logger) {
        self.maintenance = maintenance
        self.store = store
        self.audit = audit
        self.metrics = metrics
        self.repository = repository
        self.interval = interval
        self.timeout = timeout
        var options = Applier.Options(retry: .writes(within: timeout * 2), unreachableGrace: timeout)
        options.stopping = { lifecycle.isStopping }
        applyOptions = options
        self.lifecycle = lifecycle
        ledger = GitOpsLedger(storage: audit.storage)
        lease = audit.storage.lease
        self.logger = logger
        var status = GitOpsStatus(repository: repository.url, branch: repository.branch, folder: repository.folder)
        status.current = served.commit
        status.rejected = served.rejected
        status.fetched = served.fetched
        status.fetchedAt = served.fetched.map { _ in Date() }
        state = NIOLockedValueBox(status)
    }

    /// What the controller knows now (never waits for a sync).
    public var status: GitOpsStatus { state.withLockedValue { $0 } }

    /// While this replica holds the controllers' lease: sync, then nap. Otherwise it only follows
    /// the repository (so that it serves the same catalog) and shows what the running replica
    /// recorded; it writes nothing to the clusters and audits nothing.
    ///
    /// A stop (``ReplicaLifecycle``) ends the nap at once; a sync under way is not cancelled but
    /// writes nothing more, and records what it did and what it did not (`interrupted`).
    public func run() async throws {
        // The loop ends at this service's turn to stop (not at the stop's first moment: a
        // service group takes a service that ends before its turn for a failure).
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            if lifecycle.isStopping {
                // Nothing new; wait for this service's turn.
            } else if lease.isHeld {
                await sync()
            } else {
                await follow()
            }
            await cancelWhenGracefulShutdown { await self.nap() }
        }
    }

    /// One sync: fetch, load a new commit, read, plan, apply or report per cluster.
    public func sync() async {
        _ = await takeRequests()
        // What a previous holder left unfinished is recorded before anything new is written.
        await closeUnfinishedSyncs()
        let now = Date(), started = ContinuousClock.now
        var tip: GitRepository.Commit?
        do {
            tip = try await repository.fetch()
            state.withLockedValue { $0.fetched = tip; $0.fetchedAt = now; $0.fetchError = nil }
        } catch {
            logger.warning("GitOps: cannot fetch the catalog repository", metadata: ["error": "\(error.description)"])
            state.withLockedValue { $0.fetchError = error.description; $0.fetchedAt = now }
        }
        if let tip {
            await load(tip)
        }
        guard let current = status.current else {
            metrics.update(gitops: status)
            return
        }
        await reconcile(current: current, tip: tip)
        let took = ContinuousClock.now - started
        state.withLockedValue {
            $0.lastSyncAt = Date()
            $0.lastSyncSeconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
        }
        metrics.update(gitops: status)
        do {
            try await audit.storage.saveGitopsStatus(status)
        } catch {
            logger.warning("GitOps: cannot record the status for other replicas", metadata: ["error": "\(error)"])
        }
    }

    /// Loads `commit` unless it is the one served or the one refused last. `quietly`: a replica
    /// without the lease, which neither audits nor records what the running one does.
    func load(_ commit: GitRepository.Commit, quietly: Bool = false) async {
        let known = state.withLockedValue { ($0.current?.hash, $0.rejected?.commit.hash) }
        guard commit.hash != known.0, commit.hash != known.1 else { return }
        do throws(GitRepository.Failure) {
            let (catalog, connections) = try await Self.catalog(at: commit, of: repository, timeout: timeout, logger: logger)
            store.replace(catalog: catalog, connections: connections)
            state.withLockedValue { status in
                status.current = commit
                status.rejected = nil
            }
            logger.info("GitOps: serving a new commit", metadata: ["commit": "\(commit.summary)"])
            await repository.pruneCheckouts(keeping: [commit.hash])
            guard !quietly else { return }
            do {
                try await ledger.serve(commit.hash)
            } catch {
                logger.error("GitOps: cannot record the commit served in the database", metadata: ["error": "\(error)"])
            }
            await record(AuditEntry(user: Self.user, action: "gitops-load", cluster: "-", connector: "-", outcome: .succeeded, detail: "commit \(commit.summary) is served"))
        } catch {
            let rejected = GitOpsStatus.Rejected(commit: commit, at: Date(), problems: Self.lines(error))
            state.withLockedValue { $0.rejected = rejected }
            logger.warning("GitOps: refused a commit", metadata: ["commit": "\(commit.summary)", "problems": "\(rejected.problems.count)"])
            if !quietly {
                await record(AuditEntry(user: Self.user, action: "gitops-refuse", cluster: "-", connector: "-", outcome: .failed,
                                        detail: "commit \(commit.summary) not applied: " + rejected.problems.prefix(20).joined(separator: "\n")))
            }
            let served = state.withLockedValue { $0.current?.hash }
            await repository.pruneCheckouts(keeping: Set([served].compactMap { $0 }))
        }
    }

    /// Reads and plans every cluster of the served catalog, then applies or reports per cluster.
    func reconcile(current: GitRepository.Commit, tip: GitRepository.Commit?) async {
        let catalog = store.catalog
        let connections = store.connections
        let behind: Int
        if let tip, tip.hash != current.hash {
            behind = (try? await repository.count(from: current.hash, to: tip.hash)) ?? 1  // a display number: one at least
        } else {
            behind = 0
        }
        var ledger: [String: GitOpsLedger.Row]
        do {
            ledger = try await self.ledger.rows()
        } catch {
            // Without its memory the controller cannot tell drift from a new commit: it writes nothing.
            logger.error("GitOps: cannot read the controller's state from the database; nothing is applied", metadata: ["error": "\(error)"])
            state.withLockedValue { $0.fetchError = "cannot read the controller's state from the database: \(Scrubber.scrub("\(error)"))" }
            return
        }
        let requests = requested.withLockedValue { requests in defer { requests = [:] }; return requests }
        let syncs = await withTaskGroup(of: ClusterSync.self) { group in
            for cluster in catalog.clusters {
                let row = ledger[cluster.name] ?? .init(cluster: cluster.name)
                group.addTask {
                    await self.sync(cluster, catalog: catalog, connections: connections, current: current, row: row, requestedBy: requests[cluster.name])
                }
            }
            var syncs: [ClusterSync] = []
            for await sync in group { syncs.append(sync) }
            return syncs
        }
        state.withLockedValue { status in
            status.commitsBehind = behind
            status.clusters = syncs.sorted { $0.cluster < $1.cluster }
            for index in status.clusters.indices where status.clusters[index].result != .inSync {
                status.clusters[index].commitsBehind += behind
            }
        }
    }

    /// Audits an entry of the controller's. In a task of its own: a stop that runs out of time
    /// cancels the sync, and the record of what it did must still be written (within the
    /// storage's deadline).
    func record(_ entry: AuditEntry) async {
        let audit = self.audit, logger = self.logger
        await Task { await audit.note(entry, logger: logger) }.value
    }

    /// A commit of the ledger, described by git (nil when unknown or gone).
    func describe(_ hash: String?) async -> GitRepository.Commit? {
        guard let hash else { return nil }
        return try? await repository.commit(hash)  // a display detail: a commit git no longer has shows as its hash alone below
    }
}

extension GitOpsController: CustomStringConvertible {
    public var description: String { "GitOpsController" }
}
