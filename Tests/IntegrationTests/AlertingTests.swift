import ConnectClient
import Foundation
import Hummingbird
import KafkaLag
import LocalStack
import Reconciler
import ServerTesting
import StackTesting
import SwitchboardAPI
import SwitchboardControllers
import SwitchboardDataFlow
import SwitchboardSnapshot
import SwitchboardStorage
import SwitchboardWeb
import TestSupport
import SwitchboardCore
import SwitchboardServer
import Testing

/// Alert routing end to end with real parts: the stack, Switchboard's /metrics, Prometheus and
/// Alertmanager (Debian) with the rendered files, and one webhook receiver per team.
@Suite("Alerts reach the owner", .tags(.realStack), .serialized)
struct AlertingTests {
    @Test func aFailingConnectorPagesItsTeamOnlyAndResolvesWhenFixed() async throws {
        let stack = try await TestStack.shared.up()
        let tools = try await Prerequisites(cache: stack.configuration.cache, progress: { print("[alerting] \($0)") }).ensureMonitoring()
        let hooks = try await WebhookReceivers.start()
        defer { hooks.stop() }
        // `for: 15s`: a healthy connector's tasks are unassigned for a moment in every rebalance.
        let live = try LiveCatalog(policy: "alerting:\n  for: 15s\n  groupWait: 1s\n  groupInterval: 1s\n  repeatInterval: 1h\n",
                                   teamYAML: { team in "members: [someone]\nalerts:\n  receivers:\n    - type: webhook\n      url: \(hooks.url(for: team))\n" })

        // Team A's sink writes into a folder that does not exist: its task fails for real.
        let missing = live.data.appendingPathComponent("no-such-folder/out.txt").path
        try live.connector("broken", className: "org.apache.kafka.connect.file.FileStreamSinkConnector", config: ["topics": "\(live.team)-t", "file": missing])
        try live.fileSink("healthy", team: live.otherTeam, topic: "\(live.otherTeam)-t")
        let broken = try await live.run("apply", "--auto-approve", "--wait-timeout", "20")
        #expect(broken.status == 1, "the broken sink does not reach RUNNING: \(broken.all)")

        // Switchboard's server, Prometheus and Alertmanager.
        let server = try await SwitchboardServerProcess.start(catalog: live.folder.root)
        defer { server.stop() }
        let rendered = live.data.appendingPathComponent("monitoring")
        let render = try await CLI.run(["render", "monitoring", "--catalog", live.root, "--out", rendered.path, "--switchboard-target", "127.0.0.1:\(server.port)"])
        #expect(render.status == 0, "\(render.all)")
        let checkRules = try await ShellCommand.run(tools.promtool, ["check", "rules", rendered.appendingPathComponent("prometheus/switchboard-alerts.yml").path])
        #expect(checkRules.status == 0, "\(checkRules.output)")
        // A connector with no task running pages as failed, once; a degraded one as a failed task.
        let ruleTest = rendered.appendingPathComponent("rules-test.yml")
        try Self.ruleTest(rules: rendered.appendingPathComponent("prometheus/switchboard-alerts.yml").path).write(to: ruleTest, atomically: true, encoding: .utf8)
        let testRules = try await ShellCommand.run(tools.promtool, ["test", "rules", ruleTest.path])
        #expect(testRules.status == 0, "\(testRules.output)")
        let checkConfig = try await ShellCommand.run(tools.amtool, ["check-config", rendered.appendingPathComponent("alertmanager/alertmanager.yml").path])
        #expect(checkConfig.status == 0, "\(checkConfig.output)")
        let monitoring = try await MonitoringProcesses.start(tools: tools, rendered: rendered, scrape: "127.0.0.1:\(server.port)", in: live.data)
        defer { monitoring.stop() }

        let connector = "\(live.team)_broken"
        let firing = try await eventually(timeout: .seconds(240), "team \(live.team) to be paged about \(connector)") {
            await hooks.alerts(for: live.team).first { $0.status == "firing" && $0.labels["connector"] == connector }
        }
        #expect(firing.labels["team"] == live.team)
        #expect(firing.labels["cluster"] == "alpha")
        // Its only task failed: no task runs, so the connector has failed (not "a task failed").
        #expect(firing.labels["alertname"] == "SwitchboardConnectorFailed")
        // Why, in one line: the innermost cause of the task's trace (the folder that is not there).
        let description = firing.annotations?["description"] ?? ""
        #expect(description.contains("Why: ") && description.contains("no-such-folder") && !description.contains("Why: not known"), "\(description)")

        // Fixed: the sink writes where it can; the alert resolves.
        try live.fileSink("broken", topic: "\(live.team)-t")
        let fixed = try await live.run("apply", "--auto-approve")
        #expect(fixed.status == 0, "\(fixed.all)")
        try await eventually(timeout: .seconds(240), "the alert about \(connector) to resolve") {
            await hooks.alerts(for: live.team).contains { $0.status == "resolved" && $0.labels["connector"] == connector } ? true : nil
        }
        #expect(await hooks.alerts(for: live.otherTeam).isEmpty, "the other team is never paged")
        #expect(await !hooks.alerts(for: live.team).contains { $0.labels["alertname"] == "SwitchboardTaskFailed" }, "paged once, as failed")

        // A server started afresh (nothing in memory) with --prometheus-url draws the failure and
        // the recovery it never saw: the history survives restarts.
        let restarted = try await ServerDependencies.live(live.folder.root, users: LocalUsers(entries: [.init(name: "carol", passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil)]),
                                                          flow: DataFlow(prometheus: PrometheusRanges(url: monitoring.prometheusURL)))
        try await Application(router: buildRouter(restarted)).test(.router) { client in
            let cookie = try await client.signIn("carol")
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let series = try await eventually(timeout: .seconds(60), "Prometheus to hold the failure and the recovery") { () -> FlowSeries? in
                let (_, json) = try await client.page("/api/v1/clusters/alpha/connectors/\(connector)/history?hours=0.25", cookie: cookie)
                let series = try decoder.decode(FlowSeries.self, from: Data(json.utf8))
                return series.states.map(\.health).contains("FAILED") && series.states.last?.health == "RUNNING" ? series : nil
            }
            #expect(series.source == "prometheus" && series.problem == nil)
            let (_, page) = try await client.page("/clusters/alpha/connectors/\(connector)", cookie: cookie)
            #expect(page.contains("From Prometheus"))
            let band = try #require(try SVGElements.all(in: page).first { $0.elements.first?.attributes["aria-label"] == "State over time" })
            #expect(band.elements.filter { $0.name == "rect" }.count >= 2, "failed, then running")
        }
        try await TestStack.shared.client("alpha").delete(connector)
        try await TestStack.shared.client("alpha").delete("\(live.otherTeam)_healthy")
    }

    @Test func autoRestartRecoversWhatCanRecoverAndPagesTheOwnerOfWhatCannot() async throws {
        let stack = try await TestStack.shared.up()
        let tools = try await Prerequisites(cache: stack.configuration.cache, progress: { print("[auto-restart] \($0)") }).ensureMonitoring()
        let hooks = try await WebhookReceivers.start()
        defer { hooks.stop() }
        // The schedule in seconds instead of minutes: restarts at 0, +2, +6, +12, ... s.
        // `for: 20s`: a healthy connector's tasks are unassigned for a moment in every rebalance,
        // which counts as failed; the gave-up rule fires at once whatever `for` says.
        let live = try LiveCatalog(policy: "autoRestart:\n  enabled: true\n  maxRestarts: 2\n  unit: 1s\n  healthyAfter: 5s\nalerting:\n  for: 20s\n  groupWait: 1s\n  groupInterval: 1s\n  repeatInterval: 1h\n",
                                   teamYAML: { team in "members: [someone]\nalerts:\n  receivers:\n    - type: webhook\n      url: \(hooks.url(for: team))\n" })
        // Both sinks write into folders that do not exist yet: their tasks fail for real.
        let later = live.data.appendingPathComponent("later")
        try live.folder.write("teams/\(live.team)/connectors/flaky.yaml", """
            name: flaky
            cluster: alpha
            class: org.apache.kafka.connect.file.FileStreamSinkConnector
            autoRestart:
              maxRestarts: 7
            config:
              topics: \(live.team)-flaky
              file: \(later.appendingPathComponent("out.txt").path)
            """)
        try live.connector("doomed", className: "org.apache.kafka.connect.file.FileStreamSinkConnector",
                           config: ["topics": "\(live.team)-doomed", "file": live.data.appendingPathComponent("never/out.txt").path])
        try live.fileSink("healthy", team: live.otherTeam, topic: "\(live.otherTeam)-t")
        _ = try await live.run("apply", "--auto-approve", "--wait-timeout", "5")

        let server = try await SwitchboardServerProcess.start(catalog: live.folder.root)
        defer { server.stop() }
        let rendered = live.data.appendingPathComponent("monitoring")
        #expect(try await CLI.run(["render", "monitoring", "--catalog", live.root, "--out", rendered.path, "--switchboard-target", "127.0.0.1:\(server.port)"]).status == 0)
        let monitoring = try await MonitoringProcesses.start(tools: tools, rendered: rendered, scrape: "127.0.0.1:\(server.port)", in: live.data)
        defer { monitoring.stop() }
        let flaky = "\(live.team)_flaky", doomed = "\(live.team)_doomed"
        let store = server.dependencies.store, audit = server.dependencies.audit
        func restarts(of name: String) async throws -> [AuditEntry] {
            try await audit.recent(limit: 1000).filter { $0.connector == name && $0.user == AutoRestarter.user && $0.action.hasPrefix("restart") }.reversed()
        }

        // The doomed sink is restarted twice on the schedule, then the controller gives up and its team is paged.
        let paged = try await eventually(timeout: .seconds(180), "team \(live.team) to be paged that auto-restart gave up on \(doomed)") {
            await hooks.alerts(for: live.team).first { $0.status == "firing" && $0.labels["alertname"] == "SwitchboardAutoRestartGaveUp" && $0.labels["connector"] == doomed }
        }
        #expect(paged.labels["team"] == live.team)
        let doomedRestarts = try await restarts(of: doomed)
        #expect(doomedRestarts.count == 2, "\(doomedRestarts)")
        if doomedRestarts.count == 2 {
            #expect(doomedRestarts[1].at.timeIntervalSince(doomedRestarts[0].at) >= 2, "the second restart waits 2 units")
        }
        #expect(try await audit.recent(limit: 1000).contains { $0.connector == doomed && $0.action == "auto-restart-gave-up" })
        #expect(store.current.connectors["alpha/\(doomed)"]?.restartStatus?.gaveUp == true)

        // The flaky sink's folder appears: a scheduled restart brings it back, and its count resets.
        #expect(try await restarts(of: flaky).count >= 1)
        try FileManager.default.createDirectory(at: later, withIntermediateDirectories: true)
        try await eventually(timeout: .seconds(180), "\(flaky) to run again") { store.current.connectors["alpha/\(flaky)"]?.health == "RUNNING" ? true : nil }
        try await eventually(timeout: .seconds(60), "the count of \(flaky) to reset") {
            store.current.connectors["alpha/\(flaky)"].map { $0.health == "RUNNING" && $0.restartStatus == nil } == true ? true : nil
        }
        #expect(await !hooks.alerts(for: live.team).contains { $0.labels["alertname"] == "SwitchboardAutoRestartGaveUp" && $0.labels["connector"] == flaky })
        #expect(await hooks.alerts(for: live.otherTeam).isEmpty, "the other team is never paged")
        for name in [flaky, doomed, "\(live.otherTeam)_healthy"] {
            try await TestStack.shared.client("alpha").delete(name)
        }
    }

    /// A `promtool test rules` file: x has no task running (all its tasks failed), y one failed
    /// task of two; x pages SwitchboardConnectorFailed only, y SwitchboardTaskFailed only; the dead
    /// letters of d grow for ten minutes (paged), then stay (quiet once the 10-minute window is past).
    static func ruleTest(rules: String) -> String {
        let labels = #"cluster="a",team="t",type="sink""#
        return """
            rule_files: ["\(rules)"]
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - {series: 'switchboard_connector_failed{connector="x",\(labels)}', values: '1x30'}
                  - {series: 'switchboard_connector_failed_tasks{connector="x",\(labels)}', values: '2x30'}
                  - {series: 'switchboard_connector_failure_cause{connector="x",cluster="a",team="t",cause="java.nio.file.NoSuchFileException: /data/out.txt"}', values: '1x30'}
                  - {series: 'switchboard_connector_failed{connector="y",\(labels)}', values: '0x30'}
                  - {series: 'switchboard_sink_dead_letter_records{connector="d",cluster="a",team="t",topic="dlq.t.d"}', values: '0x10 0+3x10 30x10'}
                  - {series: 'switchboard_connector_failed_tasks{connector="y",\(labels)}', values: '1x30'}
                alert_rule_test:
                  - eval_time: 20m
                    alertname: SwitchboardConnectorFailed
                    exp_alerts:
                      - exp_labels: {severity: critical, connector: x, cluster: a, team: t, type: sink}
                        exp_annotations:
                          summary: "Connector x on a has failed"
                          description: "The connector of team t is FAILED or has no task running: it moves no data. Why: java.nio.file.NoSuchFileException: /data/out.txt. Its page in Switchboard shows the trace; restart it there once the cause is fixed."
                  - eval_time: 15m
                    alertname: SwitchboardDeadLettersGrowing
                    exp_alerts:
                      - exp_labels: {severity: warning, connector: d, cluster: a, team: t, topic: dlq.t.d}
                        exp_annotations:
                          summary: "Sink d on a sends records to its dead-letter queue"
                          description: "Team t: records the sink could not convert, transform or write went to dlq.t.d in the last 10 minutes; the records are skipped, not written. The connector's page in Switchboard shows each one's error (readers and above); `switchboard deadletters get` prints them."
                  - eval_time: 32m
                    alertname: SwitchboardDeadLettersGrowing
                    exp_alerts: []
                  - eval_time: 20m
                    alertname: SwitchboardTaskFailed
                    exp_alerts:
                      - exp_labels: {severity: critical, connector: y, cluster: a, team: t, type: sink}
                        exp_annotations:
                          summary: "1 task(s) of y on a failed"
                          description: "Team t: a task of the connector is FAILED. Why: not known. Restart the failed tasks from Switchboard once the cause is fixed."
            """
    }

    @Test func sinkLagRisesWhilePausedAndFallsAfterResume() async throws {
        try await TestStack.shared.up()
        let alpha = TestStack.shared.client("alpha")
        let live = try LiveCatalog()
        let topic = "\(live.team)-lag"
        let input = live.data.appendingPathComponent("source.in")
        try (1...50).map { "first \($0)" }.joined(separator: "\n").appending("\n").write(to: input, atomically: true, encoding: .utf8)
        // One record per produced batch: Tansu advances a partition's end offset by batch rather
        // than by record (50 lines in a few batches moved it by 4), so under load, when the
        // producer batches more, the lag in offsets once rose by 2 for 300 records.
        try live.fileSource("source", topic: topic, extra: ["producer.override.batch.size": "1"])
        try live.fileSink("sink", topic: topic)
        #expect(try await live.run("apply", "--auto-approve").status == 0)

        // The same path the server takes: a snapshot, then the lag poller over it.
        let catalog = try CatalogLoader.loadChecked(from: live.folder.root)
        // A history of one-second samples, so that the chart shows the rise and the fall.
        let users = LocalUsers(entries: [.init(name: "carol", passwordHash: LocalUsers.hash("pw", cost: 4), groups: [], email: nil)])
        let dependencies = ServerDependencies.assemble(store: SnapshotStore(catalog: catalog, connections: try ClusterConnections(catalog: catalog)), audit: try AuditLog(path: ":memory:"),
                                                       auth: AuthSettings(localUsers: users), flow: DataFlow(history: FlowHistory(capacity: 1200, resolution: 1)))
        let store = dependencies.store
        let poller = LagPoller(store: store, flow: dependencies.flow)
        let key = "alpha/\(live.team)_sink"
        func lag() async -> Int64? {
            await store.refresh()
            await poller.poll()
            return dependencies.flow.latest.lag[key]?.total
        }
        try await eventually(timeout: .seconds(240), "the sink to catch up (lag 0 with data)") { () -> Bool? in
            let caughtUp = (try? String(contentsOf: live.data.appendingPathComponent("sink.out"), encoding: .utf8))?.contains("first 50") == true
            guard caughtUp else { return nil }
            return await lag() == 0 ? true : nil
        }

        try await alpha.pause("\(live.team)_sink")
        try await eventually(timeout: .seconds(60), "the sink to pause") { try await alpha.status(of: "\(live.team)_sink").tasks.allSatisfy { $0.state == .paused } ? true : nil }
        let handle = try FileHandle(forWritingTo: input)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((1...300).map { "second \($0)\n" }.joined().utf8))
        try handle.close()
        // The file source produces the 300 new lines while the sink is paused; a rise of 10 is
        // what this waits for (alone, with one record per batch, the lag reaches 300).
        let risen = try await eventually(timeout: .seconds(180), "the lag to rise to 10 or more") { () -> Int64? in
            let value = await lag()
            print("[lag] \(live.team)_sink lag \(value.map(String.init) ?? "unknown")")
            guard let value, value >= 10 else { return nil }
            return value
        }
        #expect(risen >= 10 && risen <= 300)
        let text = String(decoding: dependencies.metrics.emit(), as: UTF8.self)
        #expect(text.contains("switchboard_sink_total_lag_records{cluster=\"alpha\",connector=\"\(live.team)_sink\",team=\"\(live.team)\"} \(risen)"))

        try await alpha.resume("\(live.team)_sink")
        try await eventually(timeout: .seconds(240), "the lag to fall to 0") { (await lag()) == 0 ? true : nil }
        try await chartShowsTheRiseAndTheFall(dependencies, sink: "\(live.team)_sink", peak: risen)
        try await alpha.delete("\(live.team)_source")
        try await alpha.delete("\(live.team)_sink")
    }

    /// The connector page's lag chart and the history API: the lag rose while paused and fell
    /// after the resume; the sink's throughput was above zero while it caught up.
    func chartShowsTheRiseAndTheFall(_ dependencies: ServerDependencies, sink: String, peak: Int64) async throws {
        try await Application(router: buildRouter(dependencies)).test(.router) { client in
            let cookie = try await client.signIn("carol")
            let (_, json) = try await client.page("/api/v1/clusters/alpha/connectors/\(sink)/history?hours=1", cookie: cookie)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let series = try decoder.decode(FlowSeries.self, from: Data(json.utf8))
            let lags = series.samples.compactMap(\.lag)
            let top = try #require(lags.firstIndex { $0 >= peak }, "\(lags)")
            #expect(lags[..<top].contains { $0 < peak }, "the lag rose to its peak: \(lags)")
            #expect(lags[top...].last == 0, "and fell to zero after the resume: \(lags)")
            #expect(series.samples.contains { ($0.recordsPerSecond ?? 0) > 0 }, "the sink consumed records")
            #expect(series.states.map(\.health).contains("PAUSED") && series.states.last?.health == "RUNNING", "\(series.states)")
            let (_, page) = try await client.page("/clusters/alpha/connectors/\(sink)", cookie: cookie)
            let chart = try #require(try SVGElements.all(in: page).first { $0.elements.first?.attributes["aria-label"] == "Consumer lag" })
            #expect(chart.elements.contains { $0.name == "polyline" })
            #expect(chart.text.contains("now 0 records"))
        }
    }
}
