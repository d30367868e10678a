import Foundation
import Reconciler
import SwitchboardAPI
import SwitchboardCore
import SwitchboardStorage

/// Syncs that ended without an outcome. Before its first write to a cluster, the controller
/// stores what it is about to write (``OpenSync``); it deletes that record once every change's
/// outcome is in the audit log. A record found at the start of a sync was left by a replica
/// that died mid-sync (killed, out of memory): the controller reads the cluster, records for
/// each change it names whether the cluster holds it (applied / not applied), closes the sync
/// in the audit log, and only then syncs.
extension GitOpsController {
    /// A sync under way on one cluster, as stored.
    public struct OpenSync: Codable, Sendable, Equatable {
        public struct Item: Codable, Sendable, Equatable {
            public var connector: String
            public var action: String
        }
        public var cluster: String
        public var commit: String
        /// The commit as `summary` showed it when the sync started.
        public var summary: String
        public var changes: [Item]
        public var startedAt: Date
        /// Which process wrote it (host and pid).
        public var replica: String
        /// Who the writes were made for (the controller, or the person who asked).
        public var user: String
    }

    static let openSyncPrefix = "gitops-sync/"

    /// The host and process id of this replica, for the records of what it starts.
    static var replicaName: String { "\(ProcessInfo.processInfo.hostName) pid \(ProcessInfo.processInfo.processIdentifier)" }

    func storeOpenSync(_ open: OpenSync) async throws {
        let json = String(decoding: try JSONEncoder.controllerState.encode(open), as: UTF8.self)
        try await audit.storage.saveControllerState([Self.openSyncPrefix + open.cluster: json], deleting: [])
    }

    func closeOpenSync(cluster: String) async {
        do {
            try await audit.storage.saveControllerState([:], deleting: [Self.openSyncPrefix + cluster])
        } catch {
            // Left open, the next sync reads the cluster and records what it finds: nothing is lost.
            logger.warning("GitOps: cannot mark the sync closed in the database", metadata: ["cluster": "\(cluster)", "error": "\(error)"])
        }
    }

    /// The syncs left open, oldest first. A record that cannot be read is an error naming it:
    /// skipping it would leave writes without an outcome for good.
    func openSyncs() async throws -> [OpenSync] {
        try await audit.storage.controllerDocuments(prefix: Self.openSyncPrefix, as: OpenSync.self).values.sorted { $0.startedAt < $1.startedAt }
    }

    /// Closes every sync a previous holder left open; returns how many it closed. One whose
    /// cluster cannot be read now stays open for the next sync.
    @discardableResult
    func closeUnfinishedSyncs() async -> Int {
        let open: [OpenSync]
        do {
            open = try await openSyncs()
        } catch {
            logger.error("GitOps: cannot read the syncs left open", metadata: ["error": "\(error)"])
            return 0
        }
        var closed = 0
        for sync in open where await close(sync) { closed += 1 }
        return closed
    }

    /// Reads the cluster, plans it against the catalog of the sync's commit, and records each
    /// named change as applied (nothing left to do for that connector) or not.
    func close(_ open: OpenSync) async -> Bool {
        let catalog: Catalog
        let connections = store.connections
        if open.commit == status.current?.hash {
            catalog = store.catalog
        } else {
            do {
                let commit = try await repository.commit(open.commit)
                catalog = try await Self.catalog(at: commit, of: repository, timeout: timeout, logger: logger).0
            } catch {
                logger.error("GitOps: cannot load the commit of a sync left open", metadata: ["cluster": "\(open.cluster)", "commit": "\(open.commit.prefix(10))", "error": "\(error)"])
                return false
            }
        }
        let live: LiveState
        do {
            live = try await LiveStateReader(connections: connections, deadline: timeout).read(clusters: [open.cluster])
        } catch {
            logger.warning("GitOps: cannot read the cluster of a sync left open; tried again at the next sync", metadata: ["cluster": "\(open.cluster)", "error": "\(error.description)"])
            return false
        }
        let remaining = Set(Planner(catalog: catalog).plan(cluster: open.cluster, live: live.liveConnectors[open.cluster] ?? []).changes.map(\.connector))
        let started = "the sync \(open.replica) started at \(ISO8601DateFormatter().string(from: open.startedAt)) ended without an outcome"
        var applied = 0
        for item in open.changes {
            let done = !remaining.contains(item.connector)
            if done { applied += 1 }
            await record(AuditEntry(user: open.user, action: "gitops-\(item.action)", cluster: open.cluster, connector: item.connector, outcome: done ? .succeeded : .failed,
                                    detail: "commit \(open.summary): \(started); found \(done ? "applied" : "not applied (the next sync applies it)") by the replica that took over"))
        }
        await record(AuditEntry(user: open.user, action: "gitops-sync", cluster: open.cluster, connector: "-", outcome: applied == open.changes.count ? .succeeded : .failed,
                                detail: "commit \(open.summary): interrupted: \(started); \(applied) of \(open.changes.count) change(s) found applied"))
        await closeOpenSync(cluster: open.cluster)
        logger.notice("GitOps: closed a sync left open", metadata: ["cluster": "\(open.cluster)", "applied": "\(applied)", "changes": "\(open.changes.count)"])
        return true
    }
}
