import Foundation
import Reconciler
import SwitchboardAPI
import SwitchboardCore
import SwitchboardStorage

/// What a sync does on one cluster, and the apply itself.
extension GitOpsController {
    /// What a sync does on one cluster.
    public enum Decision: Equatable, Sendable {
        case inSync
        case apply
        /// Show the plan only, with this result.
        case report(ClusterSync.Result)
    }

    /// `appliedHash`: the newest commit applied to the cluster or matched by it.
    /// Apply when the commit is new to an `auto` cluster, when its last apply failed (a
    /// refusal is not retried: it would refuse again until a new commit), when drift is
    /// corrected, or when someone asked; otherwise report.
    public static func decide(changes: Int, settings: GitOpsSettings, appliedHash: String?, currentHash: String, lastResult: ClusterSync.Result?, requested: Bool) -> Decision {
        guard changes > 0 else { return .inSync }
        if requested { return .apply }
        guard settings.mode == .auto else { return .report(.pending) }
        if appliedHash != currentHash { return .apply }
        if lastResult == .failed { return .apply }
        if lastResult == .refused { return .report(.refused) }
        return settings.correctsDrift ? .apply : .report(.drifted)
    }

    /// "3 change(s): create a, b; delete c", each list abbreviated as `plan` abbreviates it.
    static func describe(_ changes: [Change]) -> String {
        let parts = [Change.Action.create, .update, .changeState, .delete].compactMap { action -> String? in
            let names = changes.filter { $0.action == action }.map(\.connector)
            return names.isEmpty ? nil : "\(action.rawValue) \(PlanRenderer.abbreviated(names))"
        }
        return "\(changes.count) change(s): " + parts.joined(separator: "; ")
    }

    struct ApplyOutcome {
        var result: ClusterSync.Result
        var detail: String?
        var outcomes: [ClusterSync.Outcome]
    }

    /// The guards, then the writes; every change and the sync itself audited with the commit.
    func apply(_ clusterPlan: ClusterPlan, catalog: Catalog, connections: ClusterConnections, commit: GitRepository.Commit, by user: String) async -> ApplyOutcome {
        let plan = Plan(clusters: [clusterPlan])
        let applier = Applier(connections: connections, options: applyOptions)
        let cluster = clusterPlan.cluster
        logger.info("GitOps: applying", metadata: ["cluster": "\(cluster)", "commit": "\(commit.short)", "changes": "\(plan.changes.count)"])
        do {
            try await applier.preflight(plan, catalog: catalog)
        } catch {
            let detail = Scrubber.scrub(error.description)
            await record(AuditEntry(user: user, action: "gitops-sync", cluster: cluster, connector: "-", outcome: .failed,
                                      detail: "commit \(commit.summary): refused, nothing written: \(detail)"))
            return ApplyOutcome(result: .refused, detail: detail, outcomes: [])
        }
        // Stored and audited before the first write, so that a replica killed mid-sync leaves a
        // record of what it was writing (the next holder of the lease closes it:
        // ``closeUnfinishedSyncs()``); the rows of each change follow once the applier has judged it.
        let open = OpenSync(cluster: cluster, commit: commit.hash, summary: commit.summary,
                            changes: plan.changes.map { .init(connector: $0.connector, action: $0.action.rawValue) }, startedAt: Date(), replica: Self.replicaName, user: user)
        do {
            try await storeOpenSync(open)
        } catch {
            let detail = "cannot record the sync's start in the database, so nothing was written (a replica killed mid-sync would leave writes without a record): \(Scrubber.scrub("\(error)"))"
            await record(AuditEntry(user: user, action: "gitops-sync", cluster: cluster, connector: "-", outcome: .failed, detail: "commit \(commit.summary): \(detail)"))
            return ApplyOutcome(result: .failed, detail: detail, outcomes: [])
        }
        await record(AuditEntry(user: user, action: "gitops-sync-start", cluster: cluster, connector: "-", outcome: .succeeded,
                                  detail: "commit \(commit.summary): writing \(Self.describe(plan.changes))"))
        let outcomes = await applier.write(plan, catalog: catalog)
        var rows: [ClusterSync.Outcome] = []
        for outcome in outcomes {
            let change = outcome.change
            let (result, detail) = outcome.recorded
            let scrubbed = detail.map { Scrubber.scrub($0) }
            rows.append(.init(connector: change.connector, action: change.action.rawValue, result: result, detail: scrubbed))
            await record(AuditEntry(user: user, action: "gitops-\(change.action.rawValue)", cluster: cluster, connector: change.connector,
                                      outcome: result == "applied" ? .succeeded : .failed,
                                      detail: "commit \(commit.summary)" + (scrubbed.map { ": \($0)" } ?? "")))
        }
        let failed = rows.filter { $0.result != "applied" }.count
        let interrupted = rows.filter { $0.result == "interrupted" }.count
        let summary = "\(rows.count - failed) of \(rows.count) change(s) applied" + (interrupted > 0 ? "; interrupted by the server's stop: \(interrupted) change(s) not finished" : "")
        await record(AuditEntry(user: user, action: "gitops-sync", cluster: cluster, connector: "-", outcome: failed == 0 ? .succeeded : .failed,
                                  detail: "commit \(commit.summary): \(summary)"))
        await closeOpenSync(cluster: cluster)
        Task { await store.refresh() }
        return ApplyOutcome(result: failed == 0 ? .applied : .failed, detail: failed == 0 ? nil : "\(failed) of \(rows.count) change(s) not applied\(interrupted > 0 ? " (\(interrupted) interrupted by a stop)" : ""); retried at the next sync", outcomes: rows)
    }
}
