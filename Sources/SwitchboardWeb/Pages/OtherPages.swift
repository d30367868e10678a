import ConnectClient
import Foundation
import SwitchboardAPI
import SwitchboardCore

/// A cluster: its workers, plugins and Connect version, and its connectors.
enum ClusterPage {
    static func render(_ context: PageContext, cluster: ClusterView, logLevels: [LogLevelChange] = [], logLevelProblem: String? = nil) -> HTML {
        let workers = cluster.workers.map { "<tr><td>\($0.id)</td><td>\($0.connectors)</td><td>\($0.tasks)</td></tr>" as HTML }
        let plugins = cluster.plugins.map { "<tr><td><code>\($0.className)</code></td><td>\($0.type)</td><td>\($0.version)</td></tr>" as HTML }
        let connectors = cluster.connectorKeys.compactMap { context.snapshot.connectors[$0] }
        let read: HTML = cluster.readAt.map { "Read \(Layout.ago($0, context.now))." } ?? "Not read yet."
        let body: HTML = """
            <p>Connect \(cluster.connectVersion ?? "version unknown") at \(cluster.urls.joined(separator: ", ")). \(read)</p>
            <h2>Workers</h2><table><thead><tr><th>Worker</th><th>Connectors</th><th>Tasks</th></tr></thead><tbody>\(workers)</tbody></table>
            <h2>Plugins</h2><table><thead><tr><th>Class</th><th>Type</th><th>Version</th></tr></thead><tbody>\(plugins)</tbody></table>
            \(maintenanceForm(context, cluster: cluster.name))
            <h2>Connectors</h2>\(OverviewPage.table(connectors, causes: context.causes))
            \(logLevelSection(context, cluster: cluster.name, changes: logLevels, problem: logLevelProblem))
            """
        return Layout.page("Cluster \(cluster.name)", context, body)
    }

    /// Platform admins start or end the cluster's maintenance.
    static func maintenanceForm(_ context: PageContext, cluster: String) -> HTML {
        guard context.admin else { return "" }
        let open = context.maintenance.contains { $0.cluster == cluster }
        return """
            <form method="post" action="\(HTML.path("clusters", cluster, "maintenance"))"><input type="hidden" name="csrf" value="\(context.csrf)">\
            <input type="hidden" name="step" value="\(open ? "end" : "start")">\
            <button>\(open ? "End maintenance: resume the connectors it paused" : "Start maintenance: pause every running connector")</button> \
            <span class="muted">(platform admins; auto-restart and GitOps hold off meanwhile)</span></form>
            """
    }

    /// Log levels changed through Switchboard (put back when their time is up), and a form to
    /// change one: platform admins any logger, owners those of their connectors' classes.
    static func logLevelSection(_ context: PageContext, cluster: String, changes: [LogLevelChange], problem: String?) -> HTML {
        let rows = changes.map { change -> HTML in
            let state: HTML = change.revertedAt.map { "put back to \(change.previous) \(Layout.ago($0, context.now))" as HTML }
                ?? "\(change.previous) is put back at \(ISO8601DateFormatter().string(from: change.revertAt))"
            return "<tr><td><code>\(change.logger)</code></td><td>\(change.level)</td><td>\(change.user)</td><td>\(Layout.ago(change.at, context.now))</td><td>\(state)</td></tr>"
        }
        // DEBUG first selected: the level one raises a logger to when looking into a problem.
        let levels = ConnectClient.logLevels.map { "<option\($0 == "DEBUG" ? " selected" : "")>\($0)</option>" as HTML }
        let form: HTML = context.user == nil ? "" : """
            <form method="post" action="\(HTML.path("clusters", cluster, "loggers"))"><input type="hidden" name="csrf" value="\(context.csrf)">\
            <label>Logger <input name="logger" placeholder="io.debezium.connector.postgresql" required></label> \
            <label>Level <select name="level">\(levels)</select></label> \
            <label>For <input name="minutes" type="number" min="1" max="\(LogLevelRequest.maxMinutes)" value="\(LogLevelRequest.defaultMinutes)"> minutes</label> \
            <button>Set</button></form>
            <p class="muted">Platform admins may set any logger; owners those of their connectors' classes (the class, its package, or below). The previous level is put back when the time is up.</p>
            """
        return """
            <h2 id="log-levels">Log levels</h2>\(problem.map { "<p class=\"banner warning\">\($0)</p>" as HTML } ?? "")
            \(changes.isEmpty && problem == nil ? "<p class=\"muted\">No logger has been changed through Switchboard on this cluster.</p>" as HTML : "<table><thead><tr><th>Logger</th><th>Level</th><th>Set by</th><th>When</th><th>Then</th></tr></thead><tbody>\(rows)</tbody></table>")
            \(form)
            """
    }
}

/// Every action and refused action, newest first.
enum AuditPage {
    static func render(_ context: PageContext, entries: [AuditEntry]) -> HTML {
        let body: HTML = """
            <table><thead><tr><th>When</th><th>Who</th><th>Action</th><th>Connector</th><th>Outcome</th><th>Detail</th></tr></thead><tbody>\(entries.map(row))</tbody></table>
            """
        return Layout.page("Audit log", context, body)
    }

    static func row(_ entry: AuditEntry) -> HTML {
        let task: HTML = entry.task.map { " task \($0)" } ?? ""
        let offsets: HTML = entry.offsetsBefore == nil && entry.offsetsAfter == nil ? "" : """
            <details><summary>offsets before and after</summary><pre>before: \(entry.offsetsBefore ?? "-")\nafter: \(entry.offsetsAfter ?? "-")</pre></details>
            """
        return """
            <tr><td>\(ISO8601DateFormatter().string(from: entry.at))</td><td>\(entry.user)</td><td>\(entry.action)\(task)</td>\
            <td>\(target(entry))</td>\
            <td>\(entry.outcome.rawValue)</td><td>\(entry.detail)\(offsets)</td></tr>
            """
    }

    /// A link to the connector, or to the cluster for a row of a whole cluster (a GitOps sync);
    /// "-" when the row names neither (a token, a commit refused).
    static func target(_ entry: AuditEntry) -> HTML {
        if entry.cluster == "-" { return "-" }
        if entry.connector == "-" { return "<a href=\"\(HTML.path("clusters", entry.cluster))\">\(entry.cluster)</a>" }
        return "<a href=\"\(HTML.path("clusters", entry.cluster, "connectors", entry.connector))\">\(entry.cluster)/\(entry.connector)</a>"
    }
}

/// Sign-in for local users.
enum LoginPage {
    static func render(_ context: PageContext, error: String?, next: String) -> HTML {
        let body: HTML = """
            \(error.map { "<p class=\"banner warning\">\($0)</p>" as HTML } ?? "")
            <form method="post" action="/login"><input type="hidden" name="next" value="\(next)">
            <p><label>User <input name="username" autocomplete="username" required></label></p>
            <p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
            <p><button>Sign in</button></p></form>
            """
        return Layout.page("Sign in", context, body)
    }
}

/// An error page (404, 403, 401) that says what happened.
/// The message goes through the scrubber: it can quote Connect, or echo the request's path.
enum ErrorPage {
    static func render(_ context: PageContext, title: String, message: String) -> HTML {
        Layout.page(title, context, "<p>\(Scrubber.scrub(message))</p><p><a href=\"/\">Back to the overview</a></p>")
    }
}
