import SwitchboardAPI
import SwitchboardCore
import SwitchboardSnapshot

/// All clusters: counts by state, failed and degraded connectors first, filters.
enum OverviewPage {
    static let pageSize = 100

    /// Everything below the title: the same for every reader of one snapshot, so the route
    /// caches it per snapshot and wraps it in the reader's layout.
    static func body(_ snapshot: Snapshot, catalog: Catalog, filter: ConnectorFilter, page: Int, causes: Permissions.TraceScope) -> HTML {
        let matching = snapshot.connectors(matching: filter)
        let counts = StateCounts(matching)
        let shown = matching.dropFirst(page * pageSize).prefix(pageSize)
        let options = { (values: [String], selected: String?) -> HTML in
            "\(values.map { value -> HTML in value == selected ? "<option selected>\(value)</option>" : "<option>\(value)</option>" })"
        }
        let teams = Set(catalog.teams.map(\.name)).union(snapshot.connectors.values.compactMap(\.team)).sorted()
        let body: HTML = """
            <p class="counts">\(countLink(counts.total, "connectors", nil, filter))\(countLink(counts.failed, "failed", "FAILED", filter))\(countLink(counts.degraded, "degraded", "DEGRADED", filter))\(countLink(counts.running, "running", "RUNNING", filter))\(countLink(counts.paused, "paused", "PAUSED", filter))\(countLink(counts.stopped, "stopped", "STOPPED", filter))</p>
            \(clusterLine(snapshot))
            <form class="filters" method="get" action="/">
            <label>Team <select name="team"><option value="">all</option>\(options(teams, filter.team))</select></label>
            <label>Cluster <select name="cluster"><option value="">all</option>\(options(snapshot.clusters.keys.sorted(), filter.cluster))</select></label>
            <label>State <select name="state"><option value="">all</option>\(options(["RUNNING", "FAILED", "DEGRADED", "PAUSED", "STOPPED", "UNASSIGNED"], filter.state))</select></label>
            <label>Search <input name="q" value="\(filter.search ?? "")" placeholder="name, team, class or topic"></label>
            <button>Filter</button></form>
            \(bulkForm(filter: filter, total: matching.count))
            \(table(shown, causes: causes, ticks: true))
            \(pager(filter: filter, page: page, total: matching.count))
            """
        return body
    }

    /// Every cluster with the Connect release it runs (a platform often runs several at once).
    static func clusterLine(_ snapshot: Snapshot) -> HTML {
        let clusters = snapshot.clusters.values.sorted { $0.name < $1.name }.map { cluster -> HTML in
            "<span><a href=\"\(HTML.path("clusters", cluster.name))\">\(cluster.name)</a> <span class=\"muted\">Connect \(cluster.connectVersion ?? "version unknown")</span></span>"
        }
        return "<p class=\"clusters\">Clusters: \(clusters)</p>"
    }

    /// A count that links to the list it counts: the same filter, with its state.
    static func countLink(_ count: Int, _ label: String, _ state: String?, _ filter: ConnectorFilter) -> HTML {
        let query = HTML.query(filter.queryItems.map { $0.0 == "state" ? ("state", state) : $0 })
        return "<span><a href=\"/\(query)\">\(count) \(label)</a></span>"
    }

    /// The connector table of the overview, cluster and team pages.
    /// `causes`: whose failure causes the reader may see (those of connectors whose traces they may read).
    /// `ticks`: a box per row that ticks it for the bulk form (the overview).
    static func table(_ connectors: some Sequence<ConnectorView>, causes: Permissions.TraceScope, ticks: Bool = false) -> HTML {
        "<table><thead><tr>\(ticks ? "<th></th>" as HTML : "")<th>State</th><th>Connector</th><th>Cluster</th><th>Team</th><th>Tasks</th><th>Class</th></tr></thead><tbody>\(connectors.map { row($0, cause: causes.includes($0), tick: ticks) })</tbody></table>"
    }

    /// One action over the filtered connectors, or over the ticked rows when any are ticked:
    /// it opens a confirmation that says what will be done and what the reader may not do.
    static func bulkForm(filter: ConnectorFilter, total: Int) -> HTML {
        guard total > 0 else { return "" }
        let hidden = filter.queryItems.compactMap { key, value in value.map { "<input type=\"hidden\" name=\"\(key)\" value=\"\($0)\">" as HTML } }
        return """
            <form id="bulk" class="filters" method="get" action="/bulk">\(hidden)
            <label>Act on the ticked rows, else all \(total) shown by the filters: <select name="action"><option>restart</option><option>pause</option><option>resume</option><option>stop</option></select></label>
            <label><input type="checkbox" name="includeTasks" value="true"> with tasks</label> <label><input type="checkbox" name="onlyFailed" value="true"> only failed</label>
            <button>Review</button></form>
            """
    }

    static func row(_ connector: ConnectorView, cause showsCause: Bool, tick: Bool = false) -> HTML {
        let running = connector.tasks.filter { $0.state == "RUNNING" }.count
        var team: HTML = connector.team.map { "<a href=\"\(HTML.path("teams", $0))\">\($0)</a>" } ?? ""
        if connector.ownership != .managed {
            // The plan's own words: what the next apply does with it.
            team = "\(team) <span class=\"\(connector.ownership == .deletedByNextApply ? "ownership warning" : "muted")\">\(connector.ownership.phrase)</span>"
        }
        return """
            <tr>\(tick ? "<td><input type=\"checkbox\" name=\"c\" value=\"\(connector.key)\" form=\"bulk\" aria-label=\"tick \(connector.name)\"></td>" as HTML : "")<td>\(Layout.state(connector.health))\(connector.restartStatus?.gaveUp == true ? Layout.state("GAVE UP") : "")</td>\
            <td><a href="\(HTML.path("clusters", connector.cluster, "connectors", connector.name))">\(connector.name)</a>\
            \(showsCause ? connector.cause.map { "<br><span class=\"cause\">\($0)</span>" as HTML } ?? "" : "")</td>\
            <td>\(connector.cluster)</td><td>\(team)</td><td>\(running)/\(connector.tasks.count)</td>\
            <td class="muted">\(connector.connectorClass?.split(separator: ".").last.map(String.init) ?? "")</td></tr>
            """
    }

    static func pager(filter: ConnectorFilter, page: Int, total: Int) -> HTML {
        guard total > pageSize else { return "" }
        let pages = (total + pageSize - 1) / pageSize
        let link = { (target: Int, label: String) -> HTML in
            let query = HTML.query(filter.queryItems + [("page", String(target))])
            return "<a href=\"/\(query)\">\(label)</a>"
        }
        let previous: HTML = page > 0 ? link(page - 1, "previous") : ""
        let next: HTML = page + 1 < pages ? link(page + 1, "next") : ""
        return "<p>Page \(page + 1) of \(pages) \(previous) \(next)</p>"
    }
}
