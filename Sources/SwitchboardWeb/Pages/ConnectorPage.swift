import ConnectClient
import Foundation
import KafkaLag
import SwitchboardAPI
import SwitchboardCore

/// One connector: state and actions, tasks with their workers, the failure trace, topics and
/// offsets, the config (secret values masked), the catalog file and whether the live config
/// drifts from it, and its audit entries.
enum ConnectorPage {
    struct Live {
        var topics: [String]?
        var offsets: ConnectorOffsets?
        var error: String?
    }

    /// What the viewing user may do here.
    struct Access {
        var role: Role
        var capabilities: Set<Capability>
        /// The least role that may operate this connector.
        var operateNeeds: Role

        var canOperate: Bool { capabilities.contains(.operate) }
        var seesConfig: Bool { capabilities.contains(.viewConfig) }
    }

    static func render(_ context: PageContext, connector: ConnectorView, access: Access, live: Live, lag: SinkLag?, flow: HTML = "", deadLetters: DeadLetters? = nil, audit: AuditRows,
                       notice: String?) -> HTML {
        let canAct = access.canOperate
        let actionPath = HTML.path("clusters", connector.cluster, "connectors", connector.name, "actions")
        let button = { (action: String, label: String, extra: HTML) -> HTML in
            """
            <form method="post" action="\(actionPath)/\(action)"><input type="hidden" name="csrf" value="\(context.csrf)">\(extra)<button>\(label)</button></form>
            """
        }
        let actions: HTML = canAct ? """
            <div class="actions">\(button("restart", "Restart", ""))\
            \(button("restart", "Restart with tasks", "<input type=\"hidden\" name=\"includeTasks\" value=\"true\">"))\
            \(button("restart", "Restart failed tasks", "<input type=\"hidden\" name=\"includeTasks\" value=\"true\"><input type=\"hidden\" name=\"onlyFailed\" value=\"true\">"))\
            \(button("pause", "Pause", ""))\(button("resume", "Resume", ""))\(button("stop", "Stop", ""))</div>
            """ : "<p class=\"muted\">Your role here is \(access.role.rawValue); acting on this connector needs \(access.operateNeeds.rawValue) (granted by \(connector.team.map { "team \($0)" } ?? "the owning team") or the platform admins).</p>"
        let tasks = connector.tasks.map { task -> HTML in
            let restart: HTML = canAct ? """
                <form method="post" action="\(HTML.path("clusters", connector.cluster, "connectors", connector.name, "tasks", String(task.id), "restart"))" class="inline"><input type="hidden" name="csrf" value="\(context.csrf)"><button>Restart task</button></form>
                """ : ""
            let trace: HTML = task.trace.map { "<pre>\($0)</pre>" } ?? ""
            return "<tr><td>\(task.id)</td><td>\(Layout.state(task.state))</td><td>\(task.worker)</td><td>\(restart)\(trace)</td></tr>"
        }
        let config = connector.config.sorted { $0.key < $1.key }.map { "<tr><td><code>\($0.key)</code></td><td><code>\($0.value)</code></td></tr>" as HTML }
        let drift = driftSection(connector)
        let topics: HTML = live.topics.map { $0.isEmpty ? "<p class=\"muted\">No topics recorded yet.</p>" : "<ul>\($0.map { "<li><code>\($0)</code></li>" as HTML })</ul>" }
            ?? "<p class=\"muted\">Unavailable: \(live.error ?? "not read")</p>"
        let offsets = offsetsSection(context, connector: connector, access: access, live: live, lag: lag)
        let details: HTML = access.seesConfig ? """
            <h2>Catalog</h2>\(drift)
            <h2>Topics</h2>\(topics)
            <h2>Offsets</h2>\(offsets)
            <h2>Config</h2><table><thead><tr><th>Key</th><th>Value</th></tr></thead><tbody>\(config)</tbody></table>
            """ : "<p class=\"muted\">Your role here is \(access.role.rawValue): it shows states only, not the config, traces or offsets.</p>"
        let auditRows = audit.entries.map(AuditPage.row)
        let auditProblem: HTML = audit.problem.map { "<p class=\"banner warning\">\($0)</p>" } ?? ""
        let body: HTML = """
            \(notice.map { "<p class=\"banner info\">\($0)</p>" as HTML } ?? "")
            <p>\(Layout.state(connector.health)) on cluster <a href="\(HTML.path("clusters", connector.cluster))">\(connector.cluster)</a>, \
            owned by \(connector.team.map { "<a href=\"\(HTML.path("teams", $0))\">\($0)</a>" as HTML } ?? "<span class=\"muted\">no known team</span>"), \
            class <code>\(connector.connectorClass)</code>\(connector.pluginVersion.map { " \($0)" } ?? ""), worker \(connector.worker ?? "-")</p>
            \(connector.cause.map { "<p class=\"banner danger cause-line\">Why: <code>\($0)</code></p>" as HTML } ?? "")
            \(autoRestartLine(connector))
            \(actions)
            \(connector.trace.map { "<h2>Connector failure</h2><pre>\($0)</pre>" as HTML } ?? "")
            <h2>Tasks</h2><table><thead><tr><th>Task</th><th>State</th><th>Worker</th><th></th></tr></thead><tbody>\(tasks)</tbody></table>
            \(flow)
            \(DeadLetterSection.render(deadLetters))
            \(details)
            <h2>Audit log</h2>\(auditProblem)<table><thead><tr><th>When</th><th>Who</th><th>Action</th><th>Connector</th><th>Outcome</th><th>Detail</th></tr></thead><tbody>\(auditRows)</tbody></table>
            """
        return Layout.page(connector.name, context, body)
    }

    /// Whether the catalog defines it, and how the live config or state differs from the catalog.
    static func driftSection(_ connector: ConnectorView) -> HTML {
        if !connector.managed {
            let style = connector.ownership == .deletedByNextApply ? "banner warning" : "muted"
            return "<p class=\"\(style)\">\(Self.capitalized(connector.ownership.phrase)).</p>"
        } else if !connector.drifts {
            return "<p>Defined in <code>\(connector.source?.description)</code>; the live config matches the catalog.</p>"
        } else if connector.drift.isEmpty, let wanted = connector.stateDrift {
            return "<p class=\"banner warning\">Defined in <code>\(connector.source?.description)</code>; its config matches, but it is \(connector.state) where the catalog wants it \(wanted.rawValue): <code>switchboard apply</code> would restore it.</p>"
        }
        let rows = connector.drift.map { "<tr><td><code>\($0.key)</code></td><td>\($0.kind.rawValue)</td><td><code>\($0.old ?? "")</code></td><td><code>\($0.new ?? "")</code></td></tr>" as HTML }
        return """
            <p class="banner warning">Defined in <code>\(connector.source?.description)</code>; the live config <strong>drifts</strong> from it: <code>switchboard apply</code> would restore it.</p>
            <table><thead><tr><th>Key</th><th>Change</th><th>On the cluster</th><th>In the catalog</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    /// The offsets (a sink's per topic-partition beside its lag; a source's as its own maps) and,
    /// for those who may change them, stop -> reset or alter -> resume, each confirmed by typing
    /// the connector's name.
    static func offsetsSection(_ context: PageContext, connector: ConnectorView, access: Access, live: Live, lag: SinkLag?) -> HTML {
        // Source offsets are the connector's own data (a JDBC source can keep a query in them).
        guard let offsets = live.offsets?.mapStrings({ Scrubber.scrub($0) }) else { return "<p class=\"muted\">Unavailable: \(live.error ?? "not read")</p>" }
        let lagLine: HTML = lag.map { "<p>Consumer lag: <strong>\(Int($0.total))</strong> records.</p>" } ?? ""
        let text = { (value: [String: JSONValue]?) -> String in ConnectorOffsets.compact(value) }
        let table: HTML
        if offsets.offsets.isEmpty {
            table = "<p class=\"muted\">No offsets committed.</p>"
        } else if offsets.offsets.allSatisfy({ $0.sinkPosition != nil }) {
            let rows = offsets.offsets.compactMap(\.sinkPosition).sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }.map { position -> HTML in
                let topicLag = lag?.perTopic[position.topic].map { String(Int($0)) } ?? "-"
                return "<tr><td><code>\(position.topic)</code></td><td>\(position.partition)</td><td>\(position.offset.map(String.init) ?? "-")</td><td>\(topicLag)</td></tr>"
            }
            table = "<table><thead><tr><th>Topic</th><th>Partition</th><th>Committed offset</th><th>Topic lag</th></tr></thead><tbody>\(rows)</tbody></table>"
        } else {
            let rows = offsets.offsets.map { "<tr><td><code>\(text($0.partition))</code></td><td><code>\(text($0.offset))</code></td></tr>" as HTML }
            table = "<table><thead><tr><th>Partition</th><th>Offset</th></tr></thead><tbody>\(rows)</tbody></table>"
        }
        guard access.capabilities.contains(.changeOffsets) else { return "\(lagLine)\(table)" }
        let base = HTML.path("clusters", connector.cluster, "connectors", connector.name, "offsets")
        let change: HTML
        if connector.state != "STOPPED" {
            change = "<p class=\"muted\">Offsets can be reset or altered only while the connector is STOPPED: stop it (above), change them here, then resume it.</p>"
        } else {
            let confirm: HTML = "<label>Type <code>\(connector.name)</code> to confirm <input name=\"confirm\" required autocomplete=\"off\"></label>"
            change = """
                <form method="post" action="\(base)/reset" class="offsets"><input type="hidden" name="csrf" value="\(context.csrf)">\
                <p>Reset removes every offset: a source reads its input from the start again, a sink from where its consumer's <code>auto.offset.reset</code> says.</p>\(confirm) <button>Reset offsets</button></form>
                <form method="post" action="\(base)/alter" class="offsets"><input type="hidden" name="csrf" value="\(context.csrf)">\
                <p>Alter sets the offsets of the partitions listed (an <code>offset</code> of null removes one).</p>\
                <textarea name="offsets" rows="8" cols="80">\(offsets.prettyJSON)</textarea><br>\(confirm) <button>Alter offsets</button></form>
                """
        }
        return "\(lagLine)\(table)\(change)"
    }

    /// What the auto-restart controller does with the connector.
    static func autoRestartLine(_ connector: ConnectorView) -> HTML {
        let policy = connector.autoRestart
        if let status = connector.restartStatus, status.gaveUp {
            return "<p class=\"banner warning\">Auto-restart <strong>gave up</strong> after \(status.restarts) restart(s): fix the cause and restart it by hand (its team was alerted).</p>"
        }
        guard policy.enabled else { return "<p class=\"muted\">Auto-restart is off for this connector.</p>" }
        let formatter = ISO8601DateFormatter()
        var line = "Auto-restart is on: up to \(policy.maxRestarts) restart(s)"
        if let status = connector.restartStatus {
            line += "; \(status.restarts) so far"
            if let next = status.nextRestartAt { line += ", the next at \(formatter.string(from: next)) if it is still failing" }
        }
        return "<p class=\"muted\">\(line).</p>"
    }

    static func capitalized(_ phrase: String) -> String {
        phrase.prefix(1).uppercased() + phrase.dropFirst()
    }
}
