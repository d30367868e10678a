import Foundation
import SwitchboardAPI
import SwitchboardDataFlow

/// Where data goes, for the platform, a team or a topic: the lineage drawing, the paths from one
/// team to another, and the connectors whose topics are not known.
enum LineagePage {
    static func body(_ graph: LineageGraph, scope: LineageScope, teams: [String]) -> HTML {
        let filter = Self.filter(scope: scope, teams: teams)
        let json = "/api/v1/lineage" + HTML.query(scope.query)
        return """
            \(filter)
            <p class="muted">Sources write to topics, sinks read them; topics come from what Connect reports for each connector and from the topics their configs name. \
            Every box links to its page. The same graph as JSON: <a href="\(json)">\(json)</a>.</p>
            \(crossTeamTable(graph))
            <div class="drawing">\(LineageDrawing.svg(graph))</div>
            \(withoutTopics(graph))
            """
    }

    /// The team and topic filter ("all": the whole platform).
    static func filter(scope: LineageScope, teams: [String]) -> HTML {
        let options = teams.map { team -> HTML in
            if case .team(let chosen) = scope, chosen == team { return "<option selected>\(team)</option>" }
            return "<option>\(team)</option>"
        }
        return """
            <form class="filters" method="get" action="/lineage"><label>Team <select name="team"><option value="">all</option>\(options)</select></label>\
            <label>Topic <input name="topic" value="\(scope.topicName ?? "")"></label><button>Show</button></form>
            """
    }

    /// A large platform without a scope asked for: a team or a topic first, the whole graph on request.
    static func chooser(connectors: Int, teams: [String]) -> HTML {
        """
        \(filter(scope: .platform, teams: teams))
        <p>The platform has \(connectors) connectors: choose a team or a topic to see where their data comes from and goes, \
        or <a href="/lineage?team=">draw the whole platform</a> (its drawing shows the busiest connectors and counts the rest).</p>
        """
    }

    /// The paths from one team's source to another team's sink.
    static func crossTeamTable(_ graph: LineageGraph) -> HTML {
        guard !graph.crossTeamPaths.isEmpty else { return "<p class=\"muted\">No data crosses from one team to another here.</p>" }
        let topics = Dictionary(graph.topics.map { ($0.id, $0.name) }) { first, _ in first }
        let rows = graph.crossTeamPaths.prefix(50).map { path -> HTML in
            "<tr><td>\(link(path.source))</td><td>\(path.sourceTeam ?? "no team")</td><td><code>\(topics[path.topic] ?? path.topic)</code></td><td>\(link(path.sink))</td><td>\(path.sinkTeam ?? "no team")</td></tr>"
        }
        let more: HTML = graph.crossTeamPaths.count > 50 ? "<p class=\"muted\">and \(graph.crossTeamPaths.count - 50) more.</p>" : ""
        return """
            <h2>From one team to another</h2>
            <table><thead><tr><th>Source</th><th>Its team</th><th>Topic</th><th>Sink</th><th>Its team</th></tr></thead><tbody>\(rows)</tbody></table>\(more)
            """
    }

    static func withoutTopics(_ graph: LineageGraph) -> HTML {
        guard !graph.withoutTopics.isEmpty else { return "" }
        let shown = graph.withoutTopics.prefix(20).map { link($0) }
        let list = shown.enumerated().map { index, item -> HTML in index == 0 ? item : ", \(item)" }
        let more: HTML = graph.withoutTopics.count > 20 ? " and \(graph.withoutTopics.count - 20) more" : ""
        return "<p class=\"muted\">\(graph.withoutTopics.count) connector(s) with no known topic (not drawn): \(list)\(more).</p>"
    }

    /// A link to a connector by its `cluster/name` id.
    static func link(_ id: String) -> HTML {
        let (cluster, name) = ConnectorView.parts(ofKey: id)
        return "<a href=\"\(HTML.path("clusters", cluster, "connectors", name))\">\(id)</a>"
    }
}

/// A connector's data flow on its page: where its data comes from and goes, and its state, lag,
/// throughput and dead letters over the last hours.
enum FlowSection {
    /// `drawing` is the connector's lineage (``LineageDrawing``).
    static func render(_ drawing: HTML, series: FlowSeries, connector: ConnectorView, hours: Double, gap: TimeInterval, now: Date) -> HTML {
        let earliest = [series.samples.first?.at, series.states.first?.at].compactMap { $0 }.min()
        let from = if series.source == "memory", let earliest { Charts.start(hours: hours, earliest: earliest, now: now) } else { now.addingTimeInterval(-hours * 3600) }
        let gap = series.source == "prometheus" ? max(gap, 180) : gap
        let lag = series.samples.compactMap { sample in sample.lag.map { (at: sample.at, value: Double($0)) } }
        let rate = series.samples.compactMap { sample in sample.recordsPerSecond.map { (at: sample.at, value: $0) } }
        let origin: HTML = series.source == "prometheus"
            ? "From Prometheus, the last \(Self.duration(hours))."
            : "Since this server started, at most the last \(Self.duration(hours)) (kept in memory; <code>serve --prometheus-url</code> keeps history across restarts)."
        let problem: HTML = series.problem.map { "<p class=\"banner warning\">Prometheus could not be read, so this shows the history in memory: \($0)</p>" } ?? ""
        let lagChart: HTML = connector.type == "sink" ? Charts.line(lag, from: from, to: now, title: "Consumer lag", unit: "records", gap: gap) : ""
        let deadLetters = series.samples.compactMap { sample in sample.deadLetters.map { (at: sample.at, value: Double($0)) } }
        let deadLetterChart: HTML = DeadLetters.topic(of: connector) != nil ? Charts.line(deadLetters, from: from, to: now, title: "Dead letters", unit: "records", gap: gap) : ""
        return """
            <h2>Data flow</h2>
            <div class="drawing">\(drawing)</div>
            \(problem)<p class="muted">\(origin)</p>
            <div class="charts">\(Charts.states(series.states, from: from, to: now))\(lagChart)\
            \(Charts.line(rate, from: from, to: now, title: "Throughput", unit: "records/s", gap: gap))\(deadLetterChart)</div>
            """
    }

    static func duration(_ hours: Double) -> String {
        hours >= 1 ? "\(hours.formatted()) h" : "\(Int((hours * 60).rounded())) min"
    }
}

extension LineageScope {
    var topicName: String? {
        if case .topic(let name) = self { return name }
        return nil
    }

    /// The query that asks for this scope.
    var query: [(String, String?)] {
        switch self {
        case .platform: []
        case .team(let team): [("team", team)]
        case .connector(let key): [("connector", key)]
        case .topic(let name): [("topic", name)]
        }
    }

    var cacheKey: String { query.map { "\($0.0)=\($0.1 ?? "")" }.joined(separator: "&") }
}
