import SwitchboardCore

/// A Grafana dashboard over Switchboard's metrics, with a `team` variable: a Codable value in
/// the shape of Grafana's dashboard JSON model, written by the one JSON writer.
struct GrafanaDashboard: Encodable {
    struct DataSource: Encodable {
        var type = "prometheus"
        var uid = "${datasource}"
    }

    struct GridPosition: Encodable {
        var x, y, w, h: Int
    }

    struct Target: Encodable {
        var refId = "A"
        var expr: String
        var legendFormat: String
    }

    struct Panel: Encodable {
        var id: Int
        var title: String
        var type: String
        var datasource = DataSource()
        var gridPos: GridPosition
        var targets: [Target]
    }

    /// A template variable: the data source picker, or a query over label values.
    struct Variable: Encodable {
        struct LabelQuery: Encodable {
            var query: String
            var refId: String
        }
        struct Current: Encodable {
            var text: String
            var value: String
        }
        var name: String
        var type: String
        var label: String
        var datasource: DataSource?
        /// `prometheus` for the data source picker.
        var pluginQuery: String?
        var labelQuery: LabelQuery?
        var refresh: Int?
        var includeAll: Bool?
        var multi: Bool?
        var allValue: String?
        var current: Current?

        enum CodingKeys: String, CodingKey {
            case name, type, label, datasource, query, refresh, includeAll, multi, allValue, current
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(type, forKey: .type)
            try container.encode(label, forKey: .label)
            try container.encodeIfPresent(datasource, forKey: .datasource)
            if let pluginQuery { try container.encode(pluginQuery, forKey: .query) }
            if let labelQuery { try container.encode(labelQuery, forKey: .query) }
            try container.encodeIfPresent(refresh, forKey: .refresh)
            try container.encodeIfPresent(includeAll, forKey: .includeAll)
            try container.encodeIfPresent(multi, forKey: .multi)
            try container.encodeIfPresent(allValue, forKey: .allValue)
            try container.encodeIfPresent(current, forKey: .current)
        }
    }

    struct Templating: Encodable {
        var list: [Variable]
    }

    struct TimeRange: Encodable {
        var from: String
        var to: String
    }

    var title = "Switchboard: connectors by team"
    var uid = "switchboard-connectors"
    var schemaVersion = 39
    var tags = ["switchboard", "kafka-connect"]
    var time = TimeRange(from: "now-6h", to: "now")
    var refresh = "30s"
    var templating: Templating
    var panels: [Panel]

    static func json() throws -> String {
        try JSONWriter.pretty(standard) + "\n"
    }

    static var standard: GrafanaDashboard {
        let team = "team=~\"$team\""
        let variables = [
            Variable(name: "datasource", type: "datasource", label: "Data source", pluginQuery: "prometheus"),
            Variable(name: "team", type: "query", label: "Team", datasource: DataSource(),
                     labelQuery: .init(query: "label_values(switchboard_connector_state, team)", refId: "teams"),
                     refresh: 2, includeAll: true, multi: true, allValue: ".*", current: .init(text: "All", value: "$__all")),
        ]
        let panels: [(title: String, type: String, expr: String, legend: String, grid: GridPosition)] = [
            ("Failed connectors", "stat", "sum(switchboard_connector_failed{\(team)})", "failed", GridPosition(x: 0, y: 0, w: 6, h: 4)),
            ("Failed tasks", "stat", "sum(switchboard_connector_failed_tasks{\(team)})", "tasks", GridPosition(x: 6, y: 0, w: 6, h: 4)),
            ("Drifting connectors", "stat", "count(switchboard_connector_drift{\(team)} == 1) or vector(0)", "drift", GridPosition(x: 12, y: 0, w: 6, h: 4)),
            ("Clusters up", "stat", "sum(switchboard_cluster_up)", "up", GridPosition(x: 18, y: 0, w: 6, h: 4)),
            ("Connectors by state", "timeseries", "sum by (state) (switchboard_connector_state{\(team)})", "{{state}}", GridPosition(x: 0, y: 4, w: 12, h: 8)),
            ("Sink lag (records)", "timeseries", "switchboard_sink_total_lag_records{\(team)}", "{{cluster}}/{{connector}}", GridPosition(x: 12, y: 4, w: 12, h: 8)),
            ("Actions through Switchboard", "timeseries", "sum by (action, outcome) (increase(switchboard_actions_total{\(team)}[1h]))", "{{action}} {{outcome}}",
             GridPosition(x: 0, y: 12, w: 12, h: 8)),
            ("Failed tasks by connector", "table", "switchboard_connector_failed_tasks{\(team)} > 0", "{{connector}}", GridPosition(x: 12, y: 12, w: 12, h: 8)),
            // Data flow, as the team pages of the web UI show it.
            ("Throughput by connector (records/s)", "timeseries", "sum by (cluster, connector) (switchboard_connector_records_per_second{\(team)})", "{{cluster}}/{{connector}}",
             GridPosition(x: 0, y: 20, w: 12, h: 8)),
            ("Throughput by team (records/s)", "timeseries", "sum by (team, type) (switchboard_connector_records_per_second{\(team)})", "{{team}} {{type}}",
             GridPosition(x: 12, y: 20, w: 12, h: 8)),
            ("Sink lag by team (records)", "timeseries", "sum by (team) (switchboard_sink_total_lag_records{\(team)})", "{{team}}", GridPosition(x: 0, y: 28, w: 12, h: 8)),
            ("Failed tasks by team", "timeseries", "sum by (team) (switchboard_connector_failed_tasks{\(team)})", "{{team}}", GridPosition(x: 12, y: 28, w: 12, h: 8)),
        ]
        return GrafanaDashboard(
            templating: Templating(list: variables),
            panels: panels.enumerated().map { index, panel in
                Panel(id: index + 1, title: panel.title, type: panel.type, gridPos: panel.grid,
                      targets: [Target(expr: panel.expr, legendFormat: panel.legend)])
            })
    }
}
