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
        // Changes of this commit held for approval last time are tried again (an approval may
        // have come) in auto mode, as the rest of the commit was.
        let holding = cluster.gitops.mode == .auto && previous?.held?.contains { $0.commit == current.hash } == true
        let decision = Self.decide(changes: clusterPlan.changes.count, settings: cluster.gitops, appliedHash: seen, currentHash: current.hash,
                                   lastResult: lastApply.withLockedValue { $0[cluster.name] }, requested: requestedBy != nil || holding)
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
            // What an apply would hold, so that owners can approve before an admin applies.
            if result != .refused {
                sync.held = await wouldHold(clusterPlan.changes, cluster: cluster.name, live: live.liveConnectors[cluster.name] ?? [], catalog: catalog,
                                            connections: connections, commit: current.hash)
            }
        case .apply where holdsOff(cluster.name) != nil:
            sync.result = .pending
            sync.pending = clusterPlan.changes
            sync.detail = holdsOff(cluster.name)
        case .apply:
            await applyUnheld(clusterPlan, live: live.liveConnectors[cluster.name] ?? [], catalog: catalog, connections: connections, current: current,
                              previous: previous, by: requestedBy ?? Self.user, sync: &sync, row: &row)
        }
        return await finish(sync, row: row, current: current)
    }

    /// The sync's last steps: how far behind the cluster is, and its ledger row saved.
    func finish(_ sync: ClusterSync, row: GitOpsLedger.Row, current: GitRepository.Commit) async -> ClusterSync {
        var sync = sync
        sync.commitsBehind = await commitsBehind(sync, current: current)
        do {
            try await ledger.save(row)
        } catch {
            logger.error("GitOps: cannot record the cluster's sync in the database", metadata: ["cluster": "\(sync.cluster)", "error": "\(error)"])
        }
        return sync
    }

    /// Why nothing is applied to `cluster` now, if so: it is in maintenance (someone paused it on
    /// purpose; drift correction would resume it), or this replica is stopping (nothing new is
    /// started; the next holder of the lease applies it).
    func holdsOff(_ cluster: String) -> String? {
        if let window = maintenance?.current[cluster] {
            return "not applied: the cluster is in maintenance (since \(window.startedAt.formatted(.iso8601)) by \(window.user)); applied once it ends"
        }
        return lifecycle.isStopping ? "not applied: this replica is stopping; the replica that runs the controllers next applies it" : nil
    }

    /// Applies what the policy lets through now (``holdForApproval``) and holds the rest, in
    /// the cluster's status; a commit with changes held is not matched.
    func applyUnheld(_ clusterPlan: ClusterPlan, live: [LiveConnector], catalog: Catalog, connections: ClusterConnections, current: GitRepository.Commit,
                     previous: ClusterSync?, by user: String, sync: inout ClusterSync, row: inout GitOpsLedger.Row) async {
        let split: (apply: [Change], held: [HeldChange])
        do {
            split = try await holdForApproval(clusterPlan.changes, cluster: clusterPlan.cluster, live: live, catalog: catalog,
                                              connections: connections, commit: current.hash)
        } catch {
            sync.result = .failed
            sync.pending = clusterPlan.changes
            sync.detail = Scrubber.scrub("nothing applied: the approvals of cross-team changes cannot be read: \(error)")
            return
        }
        await auditNewlyHeld(split.held, cluster: clusterPlan.cluster, previous: previous, commit: current)
        sync.held = split.held.isEmpty ? nil : split.held
        let waiting = split.held.isEmpty ? nil : "\(split.held.count) change(s) wait for approval by an owner of team(s) "
            + Array(Set(split.held.flatMap(\.waitingFor))).sorted().joined(separator: ", ") + " (policy.impact.crossTeam: require-approval)"
        guard !split.apply.isEmpty else {
            sync.result = .pending
            sync.pending = clusterPlan.changes
            sync.detail = waiting
            sync.outcomes = previous?.outcomes ?? []
            return
        }
        let matched = (row.matchedHash, sync.matched)
        let outcome = await apply(ClusterPlan(cluster: clusterPlan.cluster, changes: split.apply, unchanged: [], unmanaged: []), catalog: catalog,
                                  connections: connections, commit: current, by: user)
        record(outcome, of: clusterPlan, commit: current, in: &sync, row: &row)
        if let waiting {
            // The commit is not matched while some of it waits.
            (row.matchedHash, sync.matched) = matched
            sync.pending = clusterPlan.changes.filter { change in split.held.contains { $0.connector == change.connector } }
            if outcome.result == .applied { sync.result = .pending }
            sync.detail = [outcome.detail, waiting].compactMap { $0 }.joined(separator: "; ")
        }
    }

    /// What an apply would hold now, for the page (manual mode, drift reported); nil when nothing.
    /// Approvals that cannot be read are logged and leave the list empty: the apply decides again,
    /// and fails on what it cannot read.
    func wouldHold(_ changes: [Change], cluster: String, live: [LiveConnector], catalog: Catalog, connections: ClusterConnections, commit: String) async -> [HeldChange]? {
        do {
            let held = try await holdForApproval(changes, cluster: cluster, live: live, catalog: catalog, connections: connections, commit: commit).held
            return held.isEmpty ? nil : held
        } catch {
            logger.warning("GitOps: cannot read the approvals of cross-team changes", metadata: ["cluster": "\(cluster)", "error": "\(error)"])
            return nil
        }
    }

    /// Audits each change held for the first time for this commit (not at every sync that holds it).
    func auditNewlyHeld(_ held: [HeldChange], cluster: String, previous: ClusterSync?, commit: GitRepository.Commit) async {
        let known = Set((previous?.held ?? []).filter { $0.commit == commit.hash }.map(\.connector))
        for change in held where !known.contains(change.connector) {
            await record(AuditEntry(user: Self.user, action: "gitops-hold", cluster: cluster, connector: change.connector, outcome: .succeeded,
                                    detail: "commit \(commit.summary): \(change.action) held until an owner of \(change.waitingFor.joined(separator: ", ")) approves: "
                                        + change.impact.joined(separator: "; ")))
        }
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
