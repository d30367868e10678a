import Foundation
import StackTesting
import SwitchboardCore
@testable import SwitchboardMonitoring
import Testing

@Suite struct MonitoringRendererTests {
    func catalog(alerting: String = "", analyticsReceiver: String = "    - type: slack\n      urlFile: /etc/alertmanager/slack-analytics\n      channel: '#analytics'") throws -> Catalog {
        let folder = try CatalogFolder([
            "switchboard.yaml": "clusters:\n  - name: ingest\n    url: http://127.0.0.1:18083\n\(alerting)",
            "teams/payments/team.yaml": "members: [alice]\nalerts:\n  receivers:\n    - type: webhook\n      url: http://hooks.local/payments\n",
            "teams/analytics/team.yaml": "members: [carol]\nalerts:\n  receivers:\n\(analyticsReceiver)\n",
            "teams/quiet/team.yaml": "members: [dan]\n",
        ])
        return try CatalogLoader.loadChecked(from: folder.root)
    }

    @Test func oneRoutePerTeamWithReceiversAndADefault() throws {
        let config = try MonitoringRenderer(catalog: catalog(alerting: "alerting:\n  defaultReceivers:\n    - type: webhook\n      url: http://hooks.local/platform\n")).alertmanagerConfig()
        #expect(config.contains("receiver: default"))
        #expect(config.contains(#"- matchers: ["team=\"payments\""]"#))
        #expect(config.contains(#"receiver: "team-payments""#))
        #expect(config.contains(#"- url: "http://hooks.local/payments""#))
        #expect(config.contains(#"- api_url_file: "/etc/alertmanager/slack-analytics""#))
        #expect(config.contains(##"channel: "#analytics""##))
        #expect(!config.contains("team-quiet"), "a team without receivers gets no route: its alerts go to the default")
        #expect(config.contains(#"- url: "http://hooks.local/platform""#))
        #expect(config.components(separatedBy: "send_resolved: true").count - 1 == 3)
    }

    @Test func emailReceiversNeedSMTPSettings() throws {
        let email = "    - type: email\n      to: analytics@example.com"
        #expect(throws: MonitoringRenderer.Problem.self) { try MonitoringRenderer(catalog: catalog(analyticsReceiver: email)).alertmanagerConfig() }
        let config = try MonitoringRenderer(catalog: catalog(alerting: "alerting:\n  smtp:\n    smarthost: mail.local:587\n    from: alerts@example.com\n", analyticsReceiver: email)).alertmanagerConfig()
        #expect(config.contains(#"smtp_smarthost: "mail.local:587""#))
        #expect(config.contains(#"- to: "analytics@example.com""#))
    }

    @Test func rulesCoverEveryConditionAndUseTheConfiguredTimings() throws {
        let rules = try MonitoringRenderer(catalog: catalog(alerting: "alerting:\n  for: 0s\n  lagThreshold: 50\n  lagFor: 1m\n")).alertRules()
        for alert in ["SwitchboardConnectorFailed", "SwitchboardTaskFailed", "SwitchboardSinkLagGrowing", "SwitchboardConnectorDrift", "SwitchboardClusterUnreachable"] {
            #expect(rules.contains("- alert: \(alert)"), "\(alert)")
        }
        #expect(rules.contains("for: 0s"))
        #expect(rules.contains("switchboard_sink_total_lag_records > 50"))
        #expect(rules.contains("for: 1m"))
        #expect(rules.contains(#"team: "platform""#), "the cluster alert carries a team label too")
    }

    @Test func badTimingsAreViolations() throws {
        let folder = try CatalogFolder(["switchboard.yaml": "clusters:\n  - name: ingest\n    url: http://127.0.0.1:1\nalerting:\n  for: soon\n"])
        #expect(throws: CatalogError.self) { try CatalogLoader.loadChecked(from: folder.root) }
    }

    @Test func jmxRulesPutTheNamePrefixIntoTheTeamLabel() throws {
        // The exporter matches `domain<key=value, ...><>attribute: value` strings with Java regexes.
        let patterns = JMXExporterRules.yaml.split(separator: "\n").compactMap { line -> String? in
            guard let start = line.range(of: "pattern: '") else { return nil }
            return String(line[start.upperBound...].dropLast())
        }
        #expect(patterns.count == 9)
        func firstMatch(_ text: String) throws -> [String]? {
            for pattern in patterns {
                let regex = try NSRegularExpression(pattern: "^\(pattern)$")
                if let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) {
                    return (1..<match.numberOfRanges).map { String(text[Range(match.range(at: $0), in: text)!]) }
                }
            }
            return nil
        }
        #expect(try firstMatch("kafka.connect<type=connector-metrics, connector=payments_orders-cdc><>status: running") == ["payments", "orders-cdc", "running"])
        #expect(try firstMatch("kafka.connect<type=connector-metrics, connector=legacy-export><>status: failed") == ["legacy-export", "failed"])
        #expect(try firstMatch("kafka.connect<type=connector-task-metrics, connector=payments_orders_v2, task=3><>status: failed") == ["payments", "orders_v2", "3", "failed"])
        #expect(try firstMatch("kafka.connect<type=sink-task-metrics, connector=analytics_events, task=0><>sink-record-read-total")?.first == "sink-task-metrics")
    }

    @Test func theDashboardHasATeamVariable() throws {
        let dashboard = try JSONSerialization.jsonObject(with: Data(GrafanaDashboard.json().utf8)) as! [String: Any]
        let variables = ((dashboard["templating"] as! [String: Any])["list"] as! [[String: Any]]).map { $0["name"] as! String }
        #expect(variables.contains("team"))
        let exprs = (dashboard["panels"] as! [[String: Any]]).flatMap { ($0["targets"] as! [[String: Any]]).map { $0["expr"] as! String } }
        #expect(exprs.allSatisfy { $0.contains("$team") || $0.contains("switchboard_cluster_up") })
    }
}
