import Foundation
import Hummingbird
import LocalStack
import Logging
import Reconciler
import StackTesting
import SwitchboardSnapshot
import SwitchboardStorage
import SwitchboardWeb
import TestSupport
import SwitchboardCore
import SwitchboardServer

/// One webhook receiver per team: a small HTTP listener in the test that records what
/// Alertmanager posts to /<team>.
final class WebhookReceivers: Sendable {
    struct Alert: Decodable, Sendable {
        var status: String
        var labels: [String: String]
        var annotations: [String: String]?
    }
    struct Notification: Decodable, Sendable {
        var alerts: [Alert]
    }
    actor Log {
        var byTeam: [String: [Alert]] = [:]
        func add(_ alerts: [Alert], team: String) { byTeam[team, default: []] += alerts }
        func alerts(_ team: String) -> [Alert] { byTeam[team] ?? [] }
    }

    let port: Int
    let log: Log
    let task: Task<Void, any Error>

    private init(port: Int, log: Log, task: Task<Void, any Error>) {
        self.port = port
        self.log = log
        self.task = task
    }

    static func start() async throws -> WebhookReceivers {
        let log = Log()
        let port = PortProbe.ephemeral()
        let router = Router()
        router.post("{team}") { request, context -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            let notification = try JSONDecoder().decode(Notification.self, from: body)
            await log.add(notification.alerts, team: context.parameters.get("team") ?? "")
            return .ok
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: Logger(label: "webhooks"))
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        try await eventually(timeout: .seconds(20), "the webhook receivers to listen") { PortProbe.accepts(port) ? true : nil }
        return WebhookReceivers(port: port, log: log, task: task)
    }

    func url(for team: String) -> String { "http://127.0.0.1:\(port)/\(team)" }
    func alerts(for team: String) async -> [Alert] { await log.alerts(team) }
    func stop() { task.cancel() }
}

/// Switchboard's server for a catalog, in this process, on a free port, polling every second.
struct SwitchboardServerProcess {
    let port: Int
    let task: Task<Void, any Error>
    /// The server's snapshot store and audit log, for tests to look at.
    let dependencies: ServerDependencies

    /// With `users`, people sign in with a password (the router in tests); else a trusted proxy names them.
    static func start(catalog root: URL, users: LocalUsers? = nil) async throws -> SwitchboardServerProcess {
        let dependencies: ServerDependencies
        if let users {
            dependencies = try await ServerDependencies.live(root, users: users, details: true)
        } else {
            let catalog = try CatalogLoader.loadChecked(from: root)
            let store = SnapshotStore(catalog: catalog, connections: try ClusterConnections(catalog: catalog))
            dependencies = ServerDependencies.assemble(store: store, audit: try AuditLog(path: ":memory:"),
                                                       auth: AuthSettings(proxy: .init(trustedProxies: [AddressRange("127.0.0.1")!])))
            await store.refresh(details: true)
        }
        let port = PortProbe.ephemeral()
        let app = buildApplication(dependencies, host: "127.0.0.1", port: port, pollInterval: .seconds(1))
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        try await eventually(timeout: .seconds(20), "Switchboard to listen") { PortProbe.accepts(port) ? true : nil }
        return SwitchboardServerProcess(port: port, task: task, dependencies: dependencies)
    }

    func stop() { task.cancel() }
}

/// Prometheus and Alertmanager from Debian, on free ports, with the rendered files and fast timings.
struct MonitoringProcesses {
    let prometheus: Daemon
    let alertmanager: Daemon
    /// `http://127.0.0.1:<port>` of Prometheus.
    let prometheusURL: URL

    static func start(tools: Prerequisites.MonitoringTools, rendered: URL, scrape target: String, in folder: URL) async throws -> MonitoringProcesses {
        let alertmanagerPort = PortProbe.ephemeral(), prometheusPort = PortProbe.ephemeral()
        let config = folder.appendingPathComponent("prometheus.yml")
        try """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: ["\(rendered.appendingPathComponent("prometheus/switchboard-alerts.yml").path)"]
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ["127.0.0.1:\(alertmanagerPort)"]
            scrape_configs:
              - job_name: switchboard
                static_configs:
                  - targets: ["\(target)"]
            """.write(to: config, atomically: true, encoding: .utf8)
        let alertmanager = Daemon(name: "alertmanager", directory: folder.appendingPathComponent("alertmanager"), file: "alertmanager")
        try await alertmanager.start(tools.alertmanager, [
            "--config.file=\(rendered.appendingPathComponent("alertmanager/alertmanager.yml").path)",
            "--storage.path=\(folder.appendingPathComponent("alertmanager/data").path)",
            "--web.listen-address=127.0.0.1:\(alertmanagerPort)", "--cluster.listen-address=",
        ])
        let prometheus = Daemon(name: "prometheus", directory: folder.appendingPathComponent("prometheus"), file: "prometheus")
        try await prometheus.start(tools.prometheus, [
            "--config.file=\(config.path)", "--storage.tsdb.path=\(folder.appendingPathComponent("prometheus/data").path)",
            "--web.listen-address=127.0.0.1:\(prometheusPort)", "--rules.alert.resend-delay=1s",
        ])
        try await eventually(timeout: .seconds(60), "Prometheus and Alertmanager to listen") {
            PortProbe.accepts(prometheusPort) && PortProbe.accepts(alertmanagerPort) ? true : nil
        }
        return MonitoringProcesses(prometheus: prometheus, alertmanager: alertmanager, prometheusURL: URL(string: "http://127.0.0.1:\(prometheusPort)")!)
    }

    func stop() {
        prometheus.stop(grace: 5)
        alertmanager.stop(grace: 5)
    }
}
