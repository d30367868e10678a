import Foundation
import SwitchboardAPI
import SwitchboardControllers
import SwitchboardCore

/// The GitOps controller: the repository followed, the commit served (or refused, with why),
/// and per cluster its mode, what was applied when, each change's result and what is pending.
enum GitOpsPage {
    /// `owned`: the teams the reader owns, who may approve held changes for them.
    static func render(_ context: PageContext, status: GitOpsStatus, admin: Bool, owned: [String] = []) -> HTML {
        let when: (Date?) -> String = { $0.map { Layout.ago($0, context.now) } ?? "never" }
        var parts: [HTML] = []
        parts.append("""
            <p>Following <code>\(status.repository)</code> branch <code>\(status.branch)</code>\(status.folder.map { ", folder <code>\($0)</code>" as HTML } ?? "").
            Last fetch \(when(status.fetchedAt)); last sync \(when(status.lastSyncAt)).</p>
            """)
        if let error = status.fetchError {
            parts.append("<p class=\"banner warning\">The repository cannot be fetched: \(error). The commit below stays served.</p>")
        }
        if let current = status.current {
            parts.append("<p>Serving commit \(commit(current)).\(status.commitsBehind > 0 ? " The branch is \(status.commitsBehind) commit(s) ahead." as HTML : "")</p>")
        }
        if let rejected = status.rejected {
            parts.append("""
                <div class="banner danger"><p>Commit \(commit(rejected.commit)) is <strong>not applied</strong>: it has problems (the commit above stays served).</p>
                <pre>\(rejected.problems.joined(separator: "\n"))</pre></div>
                """)
        }
        for cluster in status.clusters {
            parts.append(section(cluster, context: context, admin: admin, owned: owned, when: when))
        }
        return Layout.page("GitOps", context, "\(parts)")
    }

    static func commit(_ commit: GitRepository.Commit) -> HTML {
        "<code>\(commit.short)</code> by \(commit.author): \(commit.subject)"
    }

    static func section(_ cluster: ClusterSync, context: PageContext, admin: Bool, owned: [String], when: (Date?) -> String) -> HTML {
        let style = switch cluster.result {
        case .inSync, .applied: "running"
        case .pending, .drifted: "paused"
        case .failed, .refused, .unreachable: "failed"
        }
        let applied: HTML = cluster.applied.map { "Applied \(commit($0)) \(when(cluster.appliedAt))." } ?? "Nothing applied by the controller yet."
        let outcomes: HTML = cluster.outcomes.isEmpty ? "" : """
            <table><thead><tr><th>Connector</th><th>Change</th><th>Result</th><th>Detail</th></tr></thead><tbody>\(cluster.outcomes.map { outcome -> HTML in
                "<tr><td>\(outcome.connector)</td><td>\(outcome.action)</td><td>\(outcome.result)</td><td>\(outcome.detail)</td></tr>"
            })</tbody></table>
            """
        let pending: HTML = cluster.pending.isEmpty ? "" : """
            <h3>\(cluster.result == .drifted ? "Drift (changed on the cluster, reported only)" : "Pending plan")</h3>
            <pre>\(PlanRenderer.render(Plan(clusters: [ClusterPlan(cluster: cluster.cluster, changes: cluster.pending, unchanged: [], unmanaged: [])])))</pre>
            """
        let apply: HTML = admin && !cluster.pending.isEmpty ? """
            <form method="post" action="\(HTML.path("gitops", "clusters", cluster.cluster, "apply"))"><input type="hidden" name="csrf" value="\(context.csrf)">
            <button>Apply this plan now</button> <span class="muted">(platform admins; at the next sync, with every guard of apply)</span></form>
            """ : ""
        let held: HTML = (cluster.held ?? []).isEmpty ? "" : """
            <h3>Held for approval (another team's connectors lose or change their input)</h3>
            \((cluster.held ?? []).map { change in heldChange(change, cluster: cluster.cluster, context: context, owned: owned) })
            """
        return """
            <h2><a href="\(HTML.path("clusters", cluster.cluster))">\(cluster.cluster)</a> <span class="state \(style)">\(cluster.result.rawValue)</span></h2>
            <p>Mode <code>\(cluster.mode.rawValue)</code>, drift <code>\(cluster.drift.rawValue)</code>. \(applied)\(cluster.commitsBehind > 0 ? " \(cluster.commitsBehind) commit(s) behind." as HTML : "") Checked \(when(cluster.checkedAt)).</p>
            \(cluster.detail.map { "<p class=\"banner warning\">\($0)</p>" as HTML } ?? "")
            \(cluster.drifting.isEmpty ? "" : "<p>Drifting: \(cluster.drifting.joined(separator: ", "))</p>" as HTML)
            \(held)\(outcomes)\(pending)\(apply)
            """
    }

    /// A held change: what it does to whom, who approved, and a button for each waiting team the reader owns.
    static func heldChange(_ change: HeldChange, cluster: String, context: PageContext, owned: [String]) -> HTML {
        let approvals: HTML = change.approvals.isEmpty ? "" : "<p>Approved: \(change.approvals.map { "\($0.team) by \($0.user) \(Layout.ago($0.at, context.now))" }.joined(separator: "; "))</p>"
        let buttons = change.waitingFor.filter(owned.contains).map { team -> HTML in
            """
            <form method="post" action="\(HTML.path("gitops", "clusters", cluster, "approve"))" class="inline"><input type="hidden" name="csrf" value="\(context.csrf)">\
            <input type="hidden" name="connector" value="\(change.connector)"><input type="hidden" name="team" value="\(team)">\
            <button>Approve for team \(team)</button></form>
            """
        }
        return """
            <div class="banner warning"><p><strong>\(change.action) \(change.connector)</strong> waits for \(change.waitingFor.joined(separator: ", ")).</p>
            <pre>\(change.impact.joined(separator: "\n"))</pre>\(approvals)\(buttons)</div>
            """
    }
}
