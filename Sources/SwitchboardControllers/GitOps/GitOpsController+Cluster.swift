import Foundation
import Reconciler
import SwitchboardAPI
import SwitchboardCore

/// One cluster's part of a sync: read it, plan it, then apply or report, and record what
/// happened in its status and the ledger.
extension GitOpsController {
    /// Reads and plans `cluster`, then applies or reports its plan as ``decide(changes:settings:appliedHash:currentHash:lastResult:requested:)`` says.
    func sync(_ cluster: ClusterDefinition, catalog: Catalog, connections: ClusterConnections, current: GitRepository.Commit,
              row: GitOpsLedger.Row, requestedBy: String?) async -> ClusterSync {
        var sync = ClusterSync(cluster: cluster.name, mode: cluster.gitops.mode, drift: cluster.gitops.drift, result: .inSync,
                               applied: nil, appliedAt: row.appliedAt, matched: nil, outcomes: [], pending: [], drifting: [], commitsBehind: 0, checkedAt: Date())
        let previous = status.cluster(cluster.name)
        sync.applied = row.appliedHash == previous?.applied?.hash ? previous?.applied : await describe(row.appliedHash)
        sync.matched = row.matchedHash == previous?.matched?.hash ? previous?.matched : await describe(row.matchedHash)
        let live: LiveState
        do {
            live = try await LiveStateReader(connections: connections, deadline: timeout).read(clusters: [cluster.name])
        } catch {
            sync.result = .unreachable
            sync.detail = Scrubber.scrub(error.description)
            sync.outcomes = previous?.outcomes ?? []
            return sync
        }
        let clusterPlan = Planner(catalog: catalog).plan(cluster: cluster.name, live: live.liveConnectors[cluster.name] ?? [])
        var row = row
        // A commit the cluster already matched counts as applied: what differs later is drift.
        let seen = row.matchedHash == current.hash ? current.hash : row.appliedHash
        let decision = Self.decide(changes: clusterPlan.changes.count, settings: cluster.gitops, appliedHash: seen, currentHash: current.hash,
                                   lastResult: lastApply.withLockedValue { $0[cluster.name] }, requested: requestedBy != nil)
        switch decision {
        case .inSync:
            sync.result = .inSync
            lastApply.withLockedValue { $0[cluster.name] = nil }
            row.matchedHash = current.hash
            sync.matched = current
        case .report(let result):
            sync.result = result
            sync.pending = clusterPlan.changes
            sync.outcomes = previous?.outcomes ?? []
            if result == .refused {
                // Still the refused plan of this commit: its reason stands until a new commit.
                sync.detail = previous?.detail
            } else if row.appliedHash == current.hash || row.matchedHash == current.hash {
                // Drift: the commit served was applied here, yet the cluster differs from it.
                sync.drifting = clusterPlan.changes.filter { $0.action != .create }.map(\.connector)
                sync.result = cluster.gitops.mode == .manual ? .pending : .drifted
            }
        case .apply where lifecycle.isStopping:
            // Stopping: nothing new is started; the next holder of the lease applies it.
            sync.result = .pending
            sync.pending = clusterPlan.changes
            sync.detail = "not applied: this replica is stopping; the replica that runs the controllers next applies it"
        case .apply:
            let outcome = await apply(ClusterPlan(cluster: cluster.name, changes: clusterPlan.changes, unchanged: [], unmanaged: []), catalog: catalog,
                                      connections: connections, commit: current, by: requestedBy ?? Self.user)
            record(outcome, of: clusterPlan, commit: current, in: &sync, row: &row)
        }
        sync.commitsBehind = await commitsBehind(sync, current: current)
        do {
            try await ledger.save(row)
        } catch {
            logger.error("GitOps: cannot record the cluster's sync in the database", metadata: ["cluster": "\(cluster.name)", "error": "\(error)"])
        }
        return sync
    }

    /// What an apply did, in the cluster's status and its ledger row.
    func record(_ outcome: ApplyOutcome, of clusterPlan: ClusterPlan, commit current: GitRepository.Commit, in sync: inout ClusterSync, row: inout GitOpsLedger.Row) {
        sync.result = outcome.result
        lastApply.withLockedValue { $0[sync.cluster] = outcome.result }
        sync.detail = outcome.detail
        sync.outcomes = outcome.outcomes
        row.appliedHash = current.hash
        row.appliedAt = Date()
        sync.applied = current
        sync.appliedAt = row.appliedAt
        if outcome.result == .applied {
            row.matchedHash = current.hash
            sync.matched = current
        } else {
            sync.pending = clusterPlan.changes
        }
    }

    /// Commits between the newest one the cluster matched and the one served (a display number).
    func commitsBehind(_ sync: ClusterSync, current: GitRepository.Commit) async -> Int {
        guard sync.result != .inSync else { return 0 }
        guard let matched = sync.matched else { return 1 }
        guard matched.hash != current.hash else { return 0 }
        return (try? await repository.count(from: matched.hash, to: current.hash)) ?? 1  // a display number: one at least
    }
}
