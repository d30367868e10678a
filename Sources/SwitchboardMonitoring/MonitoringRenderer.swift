import Foundation
import SwitchboardCore

/// Renders what routes a failing connector's alert to its team, from the catalog:
///
/// - `prometheus/switchboard-alerts.yml`: alert rules on Switchboard's metrics, each carrying
///   the team label;
/// - `alertmanager/alertmanager.yml`: one route and receiver per team, and a default receiver for
///   alerts without a known team;
/// - `jmx-exporter/kafka-connect.yml`: JMX exporter rules that put the team (the connector name's
///   prefix) into a label, for workers run with the exporter agent;
/// - `grafana/switchboard.json`: a dashboard with a team variable;
/// - `prometheus/scrape-switchboard.yml`: the scrape job for Switchboard's /metrics.
///
/// Pure: it returns file contents; the CLI writes them.
public struct MonitoringRenderer {
    public let catalog: Catalog

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    /// Why rendering is impossible (an email receiver without SMTP settings), naming the team.
    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// Relative path -> contents.
    public func render(switchboardTarget: String = "switchboard:8080") throws -> [String: String] {
        [
            "prometheus/switchboard-alerts.yml": alertRules(),
            "prometheus/scrape-switchboard.yml": scrapeConfig(target: switchboardTarget),
            "alertmanager/alertmanager.yml": try alertmanagerConfig(),
            "jmx-exporter/kafka-connect.yml": JMXExporterRules.yaml,
            "grafana/switchboard.json": GrafanaDashboard.json(),
        ]
    }

    /// The JMX exporter rules that put the team into a label (also mounted by `render kubernetes`).
    public static var jmxExporterRules: String { JMXExporterRules.yaml }

    /// The receiver name of a team.
    public static func receiverName(team: String) -> String { "team-\(team)" }
    public static let defaultReceiver = "default"

    // MARK: Prometheus

    func alertRules() -> String {
        let alerting = catalog.alerting
        let rules: [(name: String, expr: String, for: String, severity: String, summary: String, description: String, staticTeam: String?)] = [
            ("SwitchboardConnectorFailed", "switchboard_connector_failed == 1", alerting.forDuration, "critical",
             "Connector {{ $labels.connector }} on {{ $labels.cluster }} has failed",
             "The connector of team {{ $labels.team }} is FAILED. Its page in Switchboard shows the trace; restart it there once the cause is fixed.", nil),
            ("SwitchboardTaskFailed", "switchboard_connector_failed_tasks > 0", alerting.forDuration, "critical",
             "{{ $value }} task(s) of {{ $labels.connector }} on {{ $labels.cluster }} failed",
             "Team {{ $labels.team }}: a task of the connector is FAILED. Restart the failed tasks from Switchboard once the cause is fixed.", nil),
            ("SwitchboardSinkLagGrowing", "switchboard_sink_total_lag_records > \(alerting.lagThreshold) and deriv(switchboard_sink_total_lag_records[10m]) > 0", alerting.lagFor, "warning",
             "Sink {{ $labels.connector }} on {{ $labels.cluster }} falls behind ({{ $value }} records)",
             "Team {{ $labels.team }}: the sink's consumer group lags by more than \(alerting.lagThreshold) records and the lag keeps growing.", nil),
            ("SwitchboardConnectorDrift", "switchboard_connector_drift_keys > 0", "30m", "warning",
             "Connector {{ $labels.connector }} on {{ $labels.cluster }} drifts from the catalog",
             "Team {{ $labels.team }}: {{ $value }} config key(s) differ from the catalog. `switchboard plan` shows them; `switchboard apply` restores the catalog.", nil),
            ("SwitchboardClusterUnreachable", "switchboard_cluster_up == 0", alerting.forDuration, "critical",
             "Connect cluster {{ $labels.cluster }} is unreachable",
             "Switchboard cannot read the cluster's REST API; the UI shows its last known state.", "platform"),
        ]
        var lines = ["# Rendered by `switchboard render monitoring` from the catalog; do not edit by hand.", "groups:", "  - name: switchboard", "    rules:"]
        for rule in rules {
            lines += [
                "      - alert: \(rule.name)",
                "        expr: \(quote(rule.expr))",
                "        for: \(rule.for)",
                "        labels:",
                "          severity: \(rule.severity)",
            ]
            if let team = rule.staticTeam { lines.append("          team: \(quote(team))") }
            lines += [
                "        annotations:",
                "          summary: \(quote(rule.summary))",
                "          description: \(quote(rule.description))",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func scrapeConfig(target: String) -> String {
        """
        # Add to prometheus.yml's scrape_configs (rendered by `switchboard render monitoring`).
        scrape_configs:
          - job_name: switchboard
            scrape_interval: 15s
            metrics_path: /metrics
            static_configs:
              - targets: [\(quote(target))]

        """
    }

    // MARK: Alertmanager

    func alertmanagerConfig() throws -> String {
        let alerting = catalog.alerting
        let teams = catalog.teams.filter { !$0.alertReceivers.isEmpty }
        var lines = ["# Rendered by `switchboard render monitoring` from the catalog; do not edit by hand.", "global:", "  resolve_timeout: 5m"]
        if let smtp = alerting.smtp {
            lines += ["  smtp_smarthost: \(quote(smtp.smarthost))", "  smtp_from: \(quote(smtp.from))"]
            if let user = smtp.authUsername { lines.append("  smtp_auth_username: \(quote(user))") }
            if let file = smtp.authPasswordFile { lines.append("  smtp_auth_password_file: \(quote(file))") }
        }
        lines += [
            "route:",
            "  receiver: \(Self.defaultReceiver)",
            "  group_by: [alertname, cluster, connector]",
            "  group_wait: \(alerting.groupWait)",
            "  group_interval: \(alerting.groupInterval)",
            "  repeat_interval: \(alerting.repeatInterval)",
            "  routes:",
        ]
        if teams.isEmpty { lines[lines.count - 1] = "  routes: []" }
        for team in teams {
            lines += [
                "    - matchers: [\(quote("team=\"\(team.name)\""))]",
                "      receiver: \(quote(Self.receiverName(team: team.name)))",
            ]
        }
        lines.append("receivers:")
        lines += try receiver(Self.defaultReceiver, alerting.defaultReceivers, owner: "alerting.defaultReceivers")
        for team in teams {
            lines += try receiver(Self.receiverName(team: team.name), team.alertReceivers, owner: "team \(team.name)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func receiver(_ name: String, _ receivers: [AlertReceiver], owner: String) throws -> [String] {
        var lines = ["  - name: \(quote(name))"]
        let webhooks = receivers.filter { $0.kind == .webhook }
        let slacks = receivers.filter { $0.kind == .slack }
        let emails = receivers.filter { $0.kind == .email }
        if !webhooks.isEmpty {
            lines.append("    webhook_configs:")
            for hook in webhooks { lines += ["      - url: \(quote(hook.url ?? ""))", "        send_resolved: true"] }
        }
        if !slacks.isEmpty {
            lines.append("    slack_configs:")
            for slack in slacks {
                if let file = slack.urlFile {
                    lines.append("      - api_url_file: \(quote(file))")
                } else {
                    lines.append("      - api_url: \(quote(slack.url ?? ""))")
                }
                if let channel = slack.channel { lines.append("        channel: \(quote(channel))") }
                lines.append("        send_resolved: true")
            }
        }
        if !emails.isEmpty {
            guard catalog.alerting.smtp != nil else {
                throw Problem(description: "\(owner) has an email receiver, but switchboard.yaml has no alerting.smtp (smarthost, from).")
            }
            lines.append("    email_configs:")
            for email in emails { lines += ["      - to: \(quote(email.to ?? ""))", "        send_resolved: true"] }
        }
        return lines
    }

    /// A YAML scalar written as a JSON string (valid YAML, safe for any text).
    func quote(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
    }
}
