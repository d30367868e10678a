import Foundation
import KafkaLag
import SwitchboardAPI
import SwitchboardCore

/// A team's dashboard: what is failing or gave up, where lag grows, dead letters, throughput per connector,
/// where its data comes from and goes, its recent actions, where its alerts go, and all its
/// connectors on every cluster.
enum TeamPage {
    /// What the dashboard is drawn from (one snapshot, the history in memory).
    struct Dashboard {
        var connectors: [ConnectorView]
        var lineage: LineageGraph
        /// Each connector's last hour.
        var flows: [String: FlowSeries]
        var lag: [String: SinkLag]
        /// Records in each sink's dead-letter topic, and their growth per minute.
        var deadLetters: [String: Int64] = [:]
        var deadLetterRates: [String: Double] = [:]
        var now: Date
    }

    static let throughputRows = 100

    /// Everything but the recent actions: the same for every reader of one snapshot.
    static func body(team: Team?, name: String, dashboard: Dashboard, causes: Permissions.TraceScope) -> HTML {
        let counts = StateCounts(dashboard.connectors)
        // The trend lines (from memory) start where the readings do, within the last hour.
        let earliest = dashboard.flows.values.compactMap { $0.samples.first?.at }.min() ?? dashboard.now
        let hourAgo = Charts.start(hours: 1, earliest: earliest, now: dashboard.now)
        let attention = dashboard.connectors.filter { $0.isFailed || $0.isDegraded || $0.restartStatus?.gaveUp == true }
        let attentionRows = attention.map { connector -> HTML in
            let gaveUp: HTML = connector.restartStatus?.gaveUp == true ? " \(Layout.state("GAVE UP"))" : ""
            let restarts: HTML = connector.restartStatus.map { "\($0.restarts) auto-restart(s)" } ?? ""
            return "<tr><td>\(Layout.state(connector.health))\(gaveUp)</td><td>\(link(connector))</td><td>\(connector.cluster)</td><td>\(connector.failedTasks)/\(connector.tasks.count) tasks failed</td><td>\(restarts)</td></tr>"
        }
        let attentionSection: HTML = attention.isEmpty
            ? "<p class=\"ok\">Nothing is failing.</p>"
            : "<table><thead><tr><th>State</th><th>Connector</th><th>Cluster</th><th>Tasks</th><th>Auto-restart</th></tr></thead><tbody>\(attentionRows)</tbody></table>"

        let growing = dashboard.connectors.filter { dashboard.flows[$0.key]?.lagGrows(now: dashboard.now) == true }
        let growingRows = growing.map { connector -> HTML in
            let points = lagPoints(dashboard.flows[connector.key])
            return "<tr><td>\(link(connector))</td><td>\(connector.cluster)</td><td>\(Int(dashboard.lag[connector.key]?.total ?? 0))</td><td>\(Charts.sparkline(points, from: hourAgo, to: dashboard.now))</td></tr>"
        }
        let growingSection: HTML = growing.isEmpty
            ? "<p class=\"ok\">No sink's lag grew over the last 15 minutes.</p>"
            : "<table><thead><tr><th>Sink</th><th>Cluster</th><th>Lag (records)</th><th>Trend</th></tr></thead><tbody>\(growingRows)</tbody></table>"

        let deadLetterSection = deadLetters(dashboard, from: hourAgo)
        let byRate = dashboard.connectors.sorted { (dashboard.flows[$0.key]?.recordsPerSecond ?? -1, $1.name) > (dashboard.flows[$1.key]?.recordsPerSecond ?? -1, $0.name) }
        let throughputRows = byRate.prefix(Self.throughputRows).map { connector -> HTML in
            let flow = dashboard.flows[connector.key]
            let rate: HTML = flow?.recordsPerSecond.map { "\(Charts.compact($0))" } ?? "<span class=\"muted\">-</span>"
            let points = (flow?.samples ?? []).compactMap { sample in sample.recordsPerSecond.map { (at: sample.at, value: $0) } }
            let lag: HTML = dashboard.lag[connector.key].map { "\(Int($0.total))" } ?? ""
            return "<tr><td>\(Layout.state(connector.health))</td><td>\(link(connector))</td><td>\(connector.type ?? "")</td><td>\(rate)</td><td>\(Charts.sparkline(points, from: hourAgo, to: dashboard.now))</td><td>\(lag)</td></tr>"
        }
        let moreThroughput: HTML = dashboard.connectors.count > Self.throughputRows ? "<p class=\"muted\">The \(Self.throughputRows) busiest of \(dashboard.connectors.count); all in the <a href=\"/\(HTML.query([("team", name)]))\">overview</a>.</p>" : ""

        let members: HTML = team.map { "<p>Members: \($0.members.users.joined(separator: ", ")). Groups: \($0.members.groups.joined(separator: ", ")).</p>" as HTML }
            ?? "<p class=\"muted\">Not a catalog team.</p>"
        // Receivers show their kind and channel only: webhook and Slack URLs can be secrets.
        let receivers = (team?.alertReceivers ?? []).map { "<li>\($0.kind.rawValue)\($0.channel.map { " \($0)" } ?? "")\($0.to.map { " to \($0)" } ?? "")</li>" as HTML }
        let alerts: HTML = receivers.isEmpty ? "<p class=\"muted\">No alert receiver: this team's alerts go to the platform's default route.</p>" : "<ul>\(receivers)</ul>"
        return """
            \(team?.description.map { "<p>\($0)</p>" as HTML } ?? "")
            \(members)
            <p class="counts"><span>\(counts.total) connectors</span><span>\(counts.failed) failed</span><span>\(counts.degraded) degraded</span><span>\(counts.running) running</span><span>\(counts.paused) paused</span><span>\(counts.stopped) stopped</span></p>
            <h2>Needs attention</h2>\(attentionSection)
            <h2>Lag growing</h2>\(growingSection)
            <h2>Dead letters</h2>\(deadLetterSection)
            <h2>Throughput</h2><p class="muted">Records per second over the last three minutes; the trend is the last hour, or since this server started.</p>\
            <table><thead><tr><th>State</th><th>Connector</th><th>Type</th><th>Records/s</th><th>Trend</th><th>Lag</th></tr></thead><tbody>\(throughputRows)</tbody></table>\(moreThroughput)
            <h2>Where the data goes</h2>\(LineagePage.crossTeamTable(dashboard.lineage))<div class="drawing">\(LineageDrawing.svg(dashboard.lineage))</div>
            <h2>Alerts go to</h2>\(alerts)
            <h2>Connectors</h2>\(OverviewPage.table(dashboard.connectors, causes: causes))
            """
    }

    /// The recent actions on the team's connectors, newest first.
    static func recentActions(_ audit: AuditRows) -> HTML {
        if let problem = audit.problem { return "<h2>Recent actions</h2><p class=\"banner warning\">\(problem)</p>" }
        guard !audit.entries.isEmpty else { return "<h2>Recent actions</h2><p class=\"muted\">None recorded.</p>" }
        return """
            <h2>Recent actions</h2><table><thead><tr><th>When</th><th>Who</th><th>Action</th><th>Connector</th><th>Outcome</th><th>Detail</th></tr></thead><tbody>\(audit.entries.map(AuditPage.row))</tbody></table>
            """
    }

    /// The team's sinks with records in their dead-letter topic, most first.
    static func deadLetters(_ dashboard: Dashboard, from: Date) -> HTML {
        let sinks = dashboard.connectors.filter { (dashboard.deadLetters[$0.key] ?? 0) > 0 }
            .sorted { (dashboard.deadLetters[$0.key] ?? 0, $1.name) > (dashboard.deadLetters[$1.key] ?? 0, $0.name) }
        guard !sinks.isEmpty else { return "<p class=\"ok\">No sink has records in its dead-letter queue.</p>" }
        let rows = sinks.map { connector -> HTML in
            let points = (dashboard.flows[connector.key]?.samples ?? []).compactMap { sample in sample.deadLetters.map { (at: sample.at, value: Double($0)) } }
            let growth: HTML = dashboard.deadLetterRates[connector.key].map { "\(Charts.format($0))" } ?? "<span class=\"muted\">-</span>"
            return "<tr><td>\(link(connector))</td><td>\(connector.cluster)</td><td>\(Int(dashboard.deadLetters[connector.key] ?? 0))</td><td>\(growth)</td><td>\(Charts.sparkline(points, from: from, to: dashboard.now))</td></tr>"
        }
        return "<table class=\"dead-letters\"><thead><tr><th>Sink</th><th>Cluster</th><th>Records</th><th>Per minute</th><th>Trend</th></tr></thead><tbody>\(rows)</tbody></table>"
    }

    static func lagPoints(_ flow: FlowSeries?) -> [(at: Date, value: Double)] {
        (flow?.samples ?? []).compactMap { sample in sample.lag.map { (at: sample.at, value: Double($0)) } }
    }

    static func link(_ connector: ConnectorView) -> HTML {
        "<a href=\"\(HTML.path("clusters", connector.cluster, "connectors", connector.name))\">\(connector.name)</a>"
    }
}
