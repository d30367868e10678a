import Foundation

/// A Grafana dashboard over Switchboard's metrics, with a `team` variable.
enum GrafanaDashboard {
    static func json() -> String {
        var id = 0
        func panel(_ title: String, _ type: String, _ expr: String, legend: String, x: Int, y: Int, w: Int = 12, h: Int = 8) -> [String: Any] {
            id += 1
            return [
                "id": id, "title": title, "type": type,
                "datasource": ["type": "prometheus", "uid": "${datasource}"],
                "gridPos": ["x": x, "y": y, "w": w, "h": h],
                "targets": [["refId": "A", "expr": expr, "legendFormat": legend]],
            ]
        }
        let team = "team=~\"$team\""
        let dashboard: [String: Any] = [
            "title": "Switchboard: connectors by team",
            "uid": "switchboard-connectors",
            "schemaVersion": 39,
            "tags": ["switchboard", "kafka-connect"],
            "time": ["from": "now-6h", "to": "now"],
            "refresh": "30s",
            "templating": ["list": [
                ["name": "datasource", "type": "datasource", "query": "prometheus", "label": "Data source"],
                ["name": "team", "type": "query", "label": "Team", "datasource": ["type": "prometheus", "uid": "${datasource}"],
                 "query": ["query": "label_values(switchboard_connector_state, team)", "refId": "teams"],
                 "refresh": 2, "includeAll": true, "multi": true, "allValue": ".*", "current": ["text": "All", "value": "$__all"]],
            ]],
            "panels": [
                panel("Failed connectors", "stat", "sum(switchboard_connector_failed{\(team)})", legend: "failed", x: 0, y: 0, w: 6, h: 4),
                panel("Failed tasks", "stat", "sum(switchboard_connector_failed_tasks{\(team)})", legend: "tasks", x: 6, y: 0, w: 6, h: 4),
                panel("Drifting connectors", "stat", "count(switchboard_connector_drift_keys{\(team)} > 0) or vector(0)", legend: "drift", x: 12, y: 0, w: 6, h: 4),
                panel("Clusters up", "stat", "sum(switchboard_cluster_up)", legend: "up", x: 18, y: 0, w: 6, h: 4),
                panel("Connectors by state", "timeseries", "sum by (state) (switchboard_connector_state{\(team)})", legend: "{{state}}", x: 0, y: 4),
                panel("Sink lag (records)", "timeseries", "switchboard_sink_total_lag_records{\(team)}", legend: "{{cluster}}/{{connector}}", x: 12, y: 4),
                panel("Actions through Switchboard", "timeseries", "sum by (action, outcome) (increase(switchboard_actions_total{\(team)}[1h]))", legend: "{{action}} {{outcome}}", x: 0, y: 12),
                panel("Failed tasks by connector", "table", "switchboard_connector_failed_tasks{\(team)} > 0", legend: "{{connector}}", x: 12, y: 12),
            ],
        ]
        let data = try! JSONSerialization.data(withJSONObject: dashboard, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
