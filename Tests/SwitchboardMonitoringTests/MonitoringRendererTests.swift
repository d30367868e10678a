import Foundation
import TestSupport
import SwitchboardCore
@testable import SwitchboardMonitoring
import Testing
import Yams

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

    /// A rendered YAML file read back as plain values.
    func load(_ text: String) throws -> [String: Any] {
        try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    @Test func oneRoutePerTeamWithReceiversAndADefault() throws {
        let config = try load(MonitoringRenderer(catalog: catalog(alerting: "alerting:\n  defaultReceivers:\n    - type: webhook\n      url: http://hooks.local/platform\n")).alertmanagerConfig())
        let route = try #require(config["route"] as? [String: Any])
        #expect(route["receiver"] as? String == "default")
        let routes = try #require(route["routes"] as? [[String: Any]])
        #expect(routes.map { $0["matchers"] as? [String] } == [["team=\"analytics\""], ["team=\"payments\""]].map(Optional.some) || routes.map { $0["matchers"] as? [String] } == [["team=\"payments\""], ["team=\"analytics\""]].map(Optional.some))
        #expect(Set(routes.compactMap { $0["receiver"] as? String }) == ["team-payments", "team-analytics"], "a team without receivers gets no route: its alerts go to the default")
        let receivers = try #require(config["receivers"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: receivers.map { ($0["name"] as? String ?? "", $0) })
        #expect(Set(byName.keys) == ["default", "team-payments", "team-analytics"])
        #expect((byName["team-payments"]?["webhook_configs"] as? [[String: Any]])?.first?["url"] as? String == "http://hooks.local/payments")
        #expect((byName["default"]?["webhook_configs"] as? [[String: Any]])?.first?["url"] as? String == "http://hooks.local/platform")
        let slack = try #require((byName["team-analytics"]?["slack_configs"] as? [[String: Any]])?.first)
        #expect(slack["api_url_file"] as? String == "/etc/alertmanager/slack-analytics")
        #expect(slack["channel"] as? String == "#analytics")
        #expect(slack["send_resolved"] as? Bool == true)
    }

    @Test func textThatYAMLWouldMisreadComesBackAsWritten() throws {
        // A channel named like a YAML boolean, one with a colon, quotes and a comment sign, a
        // webhook URL with a query: each must come back as the same string.
        for channel in ["yes", "off", "8083", #"#a: "b" # c"#, "~", "null", "line\nbreak"] {
            // Written into team.yaml as a JSON string, which is a YAML double-quoted scalar.
            let quoted = String(decoding: try JSONEncoder().encode(channel), as: UTF8.self)
            let receiver = "    - type: slack\n      url: https://hooks.slack.test/x?a=1&b=2\n      channel: \(quoted)"
            let config = try load(MonitoringRenderer(catalog: catalog(analyticsReceiver: receiver)).alertmanagerConfig())
            let receivers = try #require(config["receivers"] as? [[String: Any]])
            let slacks = receivers.compactMap { ($0["slack_configs"] as? [[String: Any]])?.first }
            let slack = try #require(slacks.first)
            #expect(slack["channel"] as? String == channel, "\(channel)")
            #expect(slack["api_url"] as? String == "https://hooks.slack.test/x?a=1&b=2")
        }
    }

    @Test func emailReceiversNeedSMTPSettings() throws {
        let email = "    - type: email\n      to: analytics@example.com"
        #expect(throws: MonitoringRenderer.Problem.self) { try MonitoringRenderer(catalog: catalog(analyticsReceiver: email)).alertmanagerConfig() }
        let config = try load(MonitoringRenderer(catalog: catalog(alerting: "alerting:\n  smtp:\n    smarthost: mail.local:587\n    from: alerts@example.com\n", analyticsReceiver: email)).alertmanagerConfig())
        #expect((config["global"] as? [String: Any])?["smtp_smarthost"] as? String == "mail.local:587")
        let receivers = try #require(config["receivers"] as? [[String: Any]])
        #expect(receivers.contains { (($0["email_configs"] as? [[String: Any]])?.first?["to"] as? String) == "analytics@example.com" })
    }

    @Test func rulesCoverEveryConditionAndUseTheConfiguredTimings() throws {
        let document = try load(MonitoringRenderer(catalog: catalog(alerting: "alerting:\n  for: 0s\n  lagThreshold: 50\n  lagFor: 1m\n")).alertRules())
        let group = try #require((document["groups"] as? [[String: Any]])?.first)
        let rules = try #require(group["rules"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: rules.map { ($0["alert"] as? String ?? "", $0) })
        #expect(Set(byName.keys) == ["SwitchboardConnectorFailed", "SwitchboardTaskFailed", "SwitchboardSinkLagGrowing", "SwitchboardDeadLettersGrowing", "SwitchboardConnectorDrift", "SwitchboardClusterUnreachable", "SwitchboardAutoRestartGaveUp",
                                       "SwitchboardGitOpsCommitRefused", "SwitchboardGitOpsSyncFailing", "SwitchboardGitOpsFetchStale"])
        #expect(byName["SwitchboardConnectorFailed"]?["for"] as? String == "0s")
        #expect((byName["SwitchboardSinkLagGrowing"]?["expr"] as? String)?.contains("switchboard_sink_total_lag_records > 50") == true)
        #expect(byName["SwitchboardSinkLagGrowing"]?["for"] as? String == "1m")
        #expect((byName["SwitchboardClusterUnreachable"]?["labels"] as? [String: Any])?["team"] as? String == "platform", "the cluster alert carries a team label too")
        #expect(rules.allSatisfy { ($0["annotations"] as? [String: Any])?["summary"] is String })
    }

    @Test func badTimingsAreViolations() throws {
        let folder = try CatalogFolder(["switchboard.yaml": "clusters:\n  - name: ingest\n    url: http://127.0.0.1:1\nalerting:\n  for: soon\n"])
        #expect(throws: CatalogError.self) { try CatalogLoader.loadChecked(from: folder.root) }
    }

    @Test func jmxRulesPutTheNamePrefixIntoTheTeamLabel() throws {
        // The exporter matches `domain<key=value, ...><>attribute: value` strings with Java regexes,
        // read here from the rendered file.
        let document = try load(MonitoringRenderer.jmxExporterRules())
        #expect(document["lowercaseOutputName"] as? Bool == true)
        let patterns = try #require(document["rules"] as? [[String: Any]]).compactMap { $0["pattern"] as? String }
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
        let dashboard = try #require(JSONSerialization.jsonObject(with: Data(GrafanaDashboard.json().utf8)) as? [String: Any])
        let variables = try #require((dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]])
        #expect(variables.compactMap { $0["name"] as? String } == ["datasource", "team"])
        #expect(variables.first?["query"] as? String == "prometheus")
        #expect((variables.last?["query"] as? [String: Any])?["query"] as? String == "label_values(switchboard_connector_state, team)")
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        #expect(panels.compactMap { $0["id"] as? Int } == Array(1...panels.count), "panel ids are unique and ordered")
        let exprs = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(exprs.count == panels.count)
        #expect(exprs.allSatisfy { $0.contains("$team") || $0.contains("switchboard_cluster_up") })
        // The data-flow panels of the team pages: throughput, lag and failed tasks by team.
        let byTitle = Dictionary(uniqueKeysWithValues: panels.compactMap { panel in (panel["title"] as? String).map { ($0, (panel["targets"] as? [[String: Any]])?.first?["expr"] as? String ?? "") } })
        #expect(byTitle["Throughput by team (records/s)"]?.contains("sum by (team, type) (switchboard_connector_records_per_second") == true)
        #expect(byTitle["Throughput by connector (records/s)"]?.contains("switchboard_connector_records_per_second") == true)
        #expect(byTitle["Sink lag by team (records)"]?.contains("sum by (team) (switchboard_sink_total_lag_records") == true)
        #expect(byTitle["Failed tasks by team"]?.contains("sum by (team) (switchboard_connector_failed_tasks") == true)
        let grid = panels.compactMap { $0["gridPos"] as? [String: Int] }.map { "\($0["x"]!),\($0["y"]!)" }
        #expect(Set(grid).count == grid.count, "no two panels in one place")
    }

    @Test func everyRenderedFileReadsBack() throws {
        let files = try MonitoringRenderer(catalog: catalog()).render(switchboardTarget: "switchboard.example:8080")
        for (path, text) in files {
            if path.hasSuffix(".json") {
                #expect(throws: Never.self, "\(path)") { try JSONSerialization.jsonObject(with: Data(text.utf8)) }
            } else {
                #expect(try load(text).isEmpty == false, "\(path)")
            }
        }
        let scrape = try load(try #require(files["prometheus/scrape-switchboard.yml"]))
        let job = try #require((scrape["scrape_configs"] as? [[String: Any]])?.first)
        #expect(((job["static_configs"] as? [[String: Any]])?.first?["targets"] as? [String]) == ["switchboard.example:8080"])
    }
}
