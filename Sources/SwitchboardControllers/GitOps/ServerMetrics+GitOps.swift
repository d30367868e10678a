import Foundation
import SwitchboardAPI
import SwitchboardMetrics

/// The GitOps controller's gauges, kept by the controller beside the snapshot's.
extension ServerMetrics {
    /// Brings the GitOps controller's gauges to its status.
    public func update(gitops status: GitOpsStatus) {
        var desired = Desired()
        for cluster in status.clusters {
            let labels = [("cluster", cluster.cluster)]
            if let checkedAt = cluster.checkedAt {
                desired.set("switchboard_gitops_last_sync_timestamp_seconds", labels, checkedAt.timeIntervalSince1970)
            }
            let success = [.inSync, .applied, .pending, .drifted].contains(cluster.result)
            desired.set("switchboard_gitops_last_sync_success", labels, success ? 1 : 0)
            desired.set("switchboard_gitops_commits_behind", labels, Double(cluster.commitsBehind))
            desired.set("switchboard_gitops_pending_changes", labels, Double(cluster.pending.count))
            desired.set("switchboard_gitops_drift", labels, Double(cluster.drifting.count))
        }
        if let seconds = status.lastSyncSeconds {
            desired.set("switchboard_gitops_last_sync_duration_seconds", [], seconds)
        }
        desired.set("switchboard_gitops_fetch_success", [], status.fetchError == nil ? 1 : 0)
        desired.set("switchboard_gitops_commit_refused", [], status.rejected == nil ? 0 : 1)
        if let fetchedAt = status.fetchedAt {
            desired.set("switchboard_gitops_last_fetch_timestamp_seconds", [], fetchedAt.timeIntervalSince1970)
        }
        install(desired, owner: "gitops")
    }
}
