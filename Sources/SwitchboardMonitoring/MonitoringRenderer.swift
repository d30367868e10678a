import Foundation
import SwitchboardCore
import Yams

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
            "prometheus/switchboard-alerts.yml": try alertRules(),
            "prometheus/scrape-switchboard.yml": try scrapeConfig(target: switchboardTarget),
            "alertmanager/alertmanager.yml": try alertmanagerConfig(),
            "jmx-exporter/kafka-connect.yml": try Self.jmxExporterRules(),
            "grafana/switchboard.json": try GrafanaDashboard.json(),
        ]
    }

    /// The JMX exporter rules that put the team into a label (also mounted by `render kubernetes`).
    public static func jmxExporterRules() throws -> String {
        try YAMLWriter.document(JMXExporterRules.document, header: ["Rendered by `switchboard render monitoring`: rules for jmx_prometheus_javaagent on Kafka Connect workers."])
    }

    /// The receiver name of a team.
    public static func receiverName(team: String) -> String { "team-\(team)" }
    public static let defaultReceiver = "default"

    static let header = ["Rendered by `switchboard render monitoring` from the catalog; do not edit by hand."]

    // MARK: Prometheus

    /// One alert rule on Switchboard's metrics; `team` is set for alerts that belong to no
    /// connector (the others take the team label of the metric).
    struct AlertRule {
        var name: String
        var expr: String
        var forDuration: String
        var severity: String
        var summary: String
        var description: String
        var team: String?

        var node: Node {
            var labels: [(String, Node)] = [("severity", YAMLWriter.text(severity))]
            if let team { labels.append(("team", YAMLWriter.text(team))) }
            return YAMLWriter.mapping([
                ("alert", YAMLWriter.text(name)), ("expr", YAMLWriter.text(expr)), ("for", YAMLWriter.text(forDuration)),
                ("labels", YAMLWriter.mapping(labels)),
                ("annotations", YAMLWriter.mapping([("summary", YAMLWriter.text(summary)), ("description", YAMLWriter.text(description))])),
            ])
        }
    }

    var rules: [AlertRule] {
        let alerting = catalog.alerting
        return [
            AlertRule(name: "SwitchboardConnectorFailed", expr: "switchboard_connector_failed == 1", forDuration: alerting.forDuration, severity: "critical",
                      summary: "Connector {{ $labels.connector }} on {{ $labels.cluster }} has failed",
                      description: "The connector of team {{ $labels.team }} is FAILED or has no task running: it moves no data. Why: {{ with printf `switchboard_connector_failure_cause{cluster=%q,connector=%q}` $labels.cluster $labels.connector | query }}{{ . | first | label \"cause\" }}{{ else }}not known{{ end }}. Its page in Switchboard shows the trace; restart it there once the cause is fixed."),
            // Degraded only: a connector that failed as a whole already pages through the rule above.
            AlertRule(name: "SwitchboardTaskFailed", expr: "switchboard_connector_failed_tasks > 0 unless on(cluster, connector) switchboard_connector_failed == 1", forDuration: alerting.forDuration, severity: "critical",
                      summary: "{{ $value }} task(s) of {{ $labels.connector }} on {{ $labels.cluster }} failed",
                      description: "Team {{ $labels.team }}: a task of the connector is FAILED. Why: {{ with printf `switchboard_connector_failure_cause{cluster=%q,connector=%q}` $labels.cluster $labels.connector | query }}{{ . | first | label \"cause\" }}{{ else }}not known{{ end }}. Restart the failed tasks from Switchboard once the cause is fixed."),
            AlertRule(name: "SwitchboardAutoRestartGaveUp", expr: "switchboard_connector_auto_restart_gave_up == 1", forDuration: "0s", severity: "critical",
                      summary: "Switchboard gave up restarting {{ $labels.connector }} on {{ $labels.cluster }}",
                      description: "Team {{ $labels.team }}: the connector kept failing through every automatic restart. Why: {{ with printf `switchboard_connector_failure_cause{cluster=%q,connector=%q}` $labels.cluster $labels.connector | query }}{{ . | first | label \"cause\" }}{{ else }}not known{{ end }}. Its page in Switchboard shows the trace; fix the cause and restart it by hand."),
            AlertRule(name: "SwitchboardSinkLagGrowing",
                      expr: "switchboard_sink_total_lag_records > \(alerting.lagThreshold) and deriv(switchboard_sink_total_lag_records[10m]) > 0",
                      forDuration: alerting.lagFor, severity: "warning",
                      summary: "Sink {{ $labels.connector }} on {{ $labels.cluster }} falls behind ({{ $value }} records)",
                      description: "Team {{ $labels.team }}: the sink's consumer group lags by more than \(alerting.lagThreshold) records and the lag keeps growing."),
            // A DLQ's count only goes down when the broker's retention deletes records: any rise is new failures.
            AlertRule(name: "SwitchboardDeadLettersGrowing", expr: "delta(switchboard_sink_dead_letter_records[10m]) > 0", forDuration: alerting.forDuration, severity: "warning",
                      summary: "Sink {{ $labels.connector }} on {{ $labels.cluster }} sends records to its dead-letter queue",
                      description: "Team {{ $labels.team }}: records the sink could not convert, transform or write went to {{ $labels.topic }} in the last 10 minutes; the records are skipped, not written. The connector's page in Switchboard shows each one's error (readers and above); `switchboard deadletters get` prints them."),
            AlertRule(name: "SwitchboardConnectorDrift", expr: "switchboard_connector_drift == 1", forDuration: "30m", severity: "warning",
                      summary: "Connector {{ $labels.connector }} on {{ $labels.cluster }} drifts from the catalog",
                      description: "Team {{ $labels.team }}: its live config or state differs from the catalog (changed behind Switchboard's back). `switchboard plan` and the GitOps page show how; the next apply or sync restores the catalog."),
            AlertRule(name: "SwitchboardClusterUnreachable", expr: "switchboard_cluster_up == 0", forDuration: alerting.forDuration, severity: "critical",
                      summary: "Connect cluster {{ $labels.cluster }} is unreachable",
                      description: "Switchboard cannot read the cluster's REST API; the UI shows its last known state.", team: "platform"),
            // GitOps (a server following a repository): the platform's, as the catalog repository is.
            AlertRule(name: "SwitchboardGitOpsCommitRefused", expr: "switchboard_gitops_commit_refused == 1", forDuration: "0s", severity: "warning",
                      summary: "The newest commit of the catalog repository is refused",
                      description: "It has problems (the GitOps page lists them); the last good commit stays served. Push a fix.", team: "platform"),
            AlertRule(name: "SwitchboardGitOpsSyncFailing", expr: "switchboard_gitops_last_sync_success == 0", forDuration: alerting.forDuration, severity: "warning",
                      summary: "GitOps sync of {{ $labels.cluster }} fails",
                      description: "The last sync failed, was refused by a guard (deletion limit, Connect's validation) or could not read the cluster. The GitOps page says which.", team: "platform"),
            AlertRule(name: "SwitchboardGitOpsFetchStale", expr: "time() - switchboard_gitops_last_fetch_timestamp_seconds > 900 or switchboard_gitops_fetch_success == 0",
                      forDuration: "15m", severity: "warning",
                      summary: "Switchboard cannot fetch the catalog repository",
                      description: "Merged changes do not reach the clusters. The GitOps page shows git's error.", team: "platform"),
        ]
    }

    func alertRules() throws -> String {
        let group = YAMLWriter.mapping([("name", "switchboard"), ("rules", .sequence(Node.Sequence(rules.map(\.node))))])
        return try YAMLWriter.document(YAMLWriter.mapping([("groups", .sequence(Node.Sequence([group])))]), header: Self.header)
    }

    func scrapeConfig(target: String) throws -> String {
        let job = YAMLWriter.mapping([
            ("job_name", "switchboard"), ("scrape_interval", "15s"), ("metrics_path", "/metrics"),
            ("static_configs", .sequence(Node.Sequence([YAMLWriter.mapping([("targets", YAMLWriter.texts([target]))])]))),
        ])
        return try YAMLWriter.document(YAMLWriter.mapping([("scrape_configs", .sequence(Node.Sequence([job])))]),
                                       header: ["Add to prometheus.yml's scrape_configs (rendered by `switchboard render monitoring`)."])
    }

    // MARK: Alertmanager

    func alertmanagerConfig() throws -> String {
        let alerting = catalog.alerting
        let teams = catalog.teams.filter { !$0.alertReceivers.isEmpty }
        var global: [(String, Node)] = [("resolve_timeout", "5m")]
        if let smtp = alerting.smtp {
            global += [("smtp_smarthost", YAMLWriter.text(smtp.smarthost)), ("smtp_from", YAMLWriter.text(smtp.from))]
            if let user = smtp.authUsername { global.append(("smtp_auth_username", YAMLWriter.text(user))) }
            if let file = smtp.authPasswordFile { global.append(("smtp_auth_password_file", YAMLWriter.text(file))) }
        }
        let routes = teams.map { team in
            YAMLWriter.mapping([
                ("matchers", YAMLWriter.texts(["team=\"\(team.name)\""])),
                ("receiver", YAMLWriter.text(Self.receiverName(team: team.name))),
            ])
        }
        let route = YAMLWriter.mapping([
            ("receiver", YAMLWriter.text(Self.defaultReceiver)),
            ("group_by", YAMLWriter.texts(["alertname", "cluster", "connector"])),
            ("group_wait", YAMLWriter.text(alerting.groupWait)),
            ("group_interval", YAMLWriter.text(alerting.groupInterval)),
            ("repeat_interval", YAMLWriter.text(alerting.repeatInterval)),
            ("routes", .sequence(Node.Sequence(routes))),
        ])
        var receivers = [try receiver(Self.defaultReceiver, alerting.defaultReceivers, owner: "alerting.defaultReceivers")]
        for team in teams {
            receivers.append(try receiver(Self.receiverName(team: team.name), team.alertReceivers, owner: "team \(team.name)"))
        }
        return try YAMLWriter.document(
            YAMLWriter.mapping([("global", YAMLWriter.mapping(global)), ("route", route), ("receivers", .sequence(Node.Sequence(receivers)))]),
            header: Self.header)
    }

    func receiver(_ name: String, _ receivers: [AlertReceiver], owner: String) throws -> Node {
        var pairs: [(String, Node)] = [("name", YAMLWriter.text(name))]
        let resolved: (String, Node) = ("send_resolved", true)
        let webhooks = receivers.filter { $0.kind == .webhook }.map { YAMLWriter.mapping([("url", YAMLWriter.text($0.url ?? "")), resolved]) }
        let slacks = receivers.filter { $0.kind == .slack }.map { slack in
            var config: [(String, Node)] = slack.urlFile.map { [("api_url_file", YAMLWriter.text($0))] } ?? [("api_url", YAMLWriter.text(slack.url ?? ""))]
            if let channel = slack.channel { config.append(("channel", YAMLWriter.text(channel))) }
            return YAMLWriter.mapping(config + [resolved])
        }
        let emails = receivers.filter { $0.kind == .email }.map { YAMLWriter.mapping([("to", YAMLWriter.text($0.to ?? "")), resolved]) }
        if !emails.isEmpty, catalog.alerting.smtp == nil {
            throw Problem(description: "\(owner) has an email receiver, but switchboard.yaml has no alerting.smtp (smarthost, from).")
        }
        for (key, configs) in [("webhook_configs", webhooks), ("slack_configs", slacks), ("email_configs", emails)] where !configs.isEmpty {
            pairs.append((key, .sequence(Node.Sequence(configs))))
        }
        return YAMLWriter.mapping(pairs)
    }
}
